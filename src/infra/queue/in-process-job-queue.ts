import { randomUUID } from 'node:crypto';
import {
  type BackoffPolicy,
  backoffDelay,
  type CloseOptions,
  DEFAULT_BACKOFF,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type EnqueueOptions,
  FAILED_JOBS_KEPT,
  type FailedJob,
  type JobContext,
  type JobHandler,
  type JobQueue,
  type QueueDepth,
  type QueueLogger,
} from './job-queue.js';

export interface InProcessJobQueueOptions {
  logger?: QueueLogger;
}

interface Entry {
  id: string;
  name: string;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  state: 'waiting' | 'delayed' | 'active';
  /** When it last became due (enqueued, or its delay ended). */
  dueAt: number;
  timer?: NodeJS.Timeout;
}

interface Worker {
  concurrency: number;
  handler: JobHandler<unknown>;
  active: number;
}

/**
 * Jobs held in memory and run in this process: the embedded default for a single process.
 *
 * Everything pending is lost when the process stops; that is acceptable only because the
 * database holds the truth and the reconciler re-enqueues what has no live job. Its timers
 * are unref'd so a pending job never keeps a process alive that has nothing else to do.
 */
export class InProcessJobQueue implements JobQueue {
  private readonly logger: QueueLogger | undefined;
  /** Every pending or running job, keyed by name and id (ids are unique per name). */
  private readonly jobs = new Map<string, Entry>();
  private readonly waiting = new Map<string, Entry[]>();
  private readonly workers = new Map<string, Worker>();
  private readonly running = new Set<Promise<void>>();
  /** Jobs dropped after their last attempt, per name, newest first (at most `FAILED_JOBS_KEPT`). */
  private readonly dropped = new Map<string, Array<FailedJob & { backoff: BackoffPolicy; maxAttempts: number }>>();
  private closing: Promise<void> | undefined;

  constructor(options: InProcessJobQueueOptions = {}) {
    this.logger = options.logger;
  }

  async enqueue<P>(name: string, payload: P, options: EnqueueOptions = {}): Promise<string> {
    this.assertOpen();
    const id = options.jobId ?? randomUUID();
    const key = jobKey(name, id);
    if (this.jobs.has(key)) return id;
    const entry: Entry = {
      id,
      name,
      payload,
      attempt: 1,
      maxAttempts: Math.max(1, options.attempts ?? 1),
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      state: 'waiting',
      dueAt: Date.now(),
    };
    this.jobs.set(key, entry);
    const delayMs = options.delayMs ?? 0;
    if (delayMs > 0) this.delay(entry, delayMs);
    else this.makeReady(entry);
    return id;
  }

  process<P>(name: string, concurrency: number, handler: JobHandler<P>): void {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(`Concurrency of job "${name}" must be a positive integer, got ${concurrency}`);
    }
    if (this.workers.has(name)) throw new Error(`Job "${name}" already has a handler`);
    // The handler only ever receives payloads enqueued under its name, typed by the caller.
    this.workers.set(name, { concurrency, handler: handler as JobHandler<unknown>, active: 0 });
    this.drain(name);
  }

  async counts(): Promise<{ waiting: number; delayed: number; active: number }> {
    const counts = { waiting: 0, delayed: 0, active: 0 };
    for (const entry of this.jobs.values()) counts[entry.state] += 1;
    return counts;
  }

  async depth(names?: readonly string[]): Promise<QueueDepth[]> {
    const now = Date.now();
    const byName = new Map<string, QueueDepth>();
    const known = names ?? [...new Set([...this.workers.keys(), ...[...this.jobs.values()].map((e) => e.name)])];
    for (const name of known)
      byName.set(name, {
        name,
        waiting: 0,
        delayed: 0,
        active: 0,
        failed: this.dropped.get(name)?.length ?? 0,
        oldestWaitingMs: null,
      });
    for (const entry of this.jobs.values()) {
      const depth = byName.get(entry.name);
      if (!depth) continue;
      depth[entry.state] += 1;
      if (entry.state === 'waiting') depth.oldestWaitingMs = Math.max(depth.oldestWaitingMs ?? 0, now - entry.dueAt);
    }
    return [...byName.values()];
  }

  async failed(name: string, limit = FAILED_JOBS_KEPT): Promise<FailedJob[]> {
    return (this.dropped.get(name) ?? [])
      .slice(0, limit)
      .map(({ id, payload, attempts, error, failedAt }) => ({ id, name, payload, attempts, error, failedAt }));
  }

  async retryFailed(name: string, id: string): Promise<boolean> {
    const job = this.takeDropped(name, id);
    if (!job) return false;
    await this.enqueue(name, job.payload, { jobId: id, attempts: job.maxAttempts, backoff: job.backoff });
    return true;
  }

  async removeFailed(name: string, id: string): Promise<boolean> {
    return this.takeDropped(name, id) !== undefined;
  }

  private takeDropped(name: string, id: string) {
    const list = this.dropped.get(name) ?? [];
    const index = list.findIndex((job) => job.id === id);
    return index < 0 ? undefined : list.splice(index, 1)[0];
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    // Jobs not yet started are dropped, not run: the reconciler re-enqueues them after restart.
    for (const [key, entry] of this.jobs) {
      if (entry.state === 'active') continue;
      clearTimeout(entry.timer);
      this.jobs.delete(key);
    }
    this.waiting.clear();
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(() => resolve(), timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.running]), timedOut]);
    clearTimeout(timer);
    if (this.running.size > 0) {
      this.logger?.warn({ inFlight: this.running.size, timeoutMs }, 'job queue closed with handlers still running');
    }
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new Error('Job queue is closed');
  }

  private delay(entry: Entry, delayMs: number): void {
    entry.state = 'delayed';
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.makeReady(entry);
    }, delayMs);
    entry.timer.unref();
  }

  private makeReady(entry: Entry): void {
    entry.state = 'waiting';
    entry.dueAt = Date.now();
    const list = this.waiting.get(entry.name);
    if (list) list.push(entry);
    else this.waiting.set(entry.name, [entry]);
    this.drain(entry.name);
  }

  private drain(name: string): void {
    const worker = this.workers.get(name);
    const list = this.waiting.get(name);
    if (!worker || !list || this.closing !== undefined) return;
    while (worker.active < worker.concurrency) {
      const entry = list.shift();
      if (!entry) break;
      this.run(worker, entry);
    }
    if (list.length === 0) this.waiting.delete(name);
  }

  private run(worker: Worker, entry: Entry): void {
    worker.active += 1;
    entry.state = 'active';
    const job: JobContext<unknown> = {
      id: entry.id,
      name: entry.name,
      payload: entry.payload,
      attempt: entry.attempt,
      maxAttempts: entry.maxAttempts,
    };
    // Start the handler on a later tick so enqueue() never runs user code before it returns,
    // and a handler that throws synchronously is handled like one that rejects.
    const done = Promise.resolve()
      .then(() => worker.handler(job))
      .then(
        () => {
          this.jobs.delete(jobKey(entry.name, entry.id));
        },
        (error: unknown) => this.attemptFailed(entry, error),
      )
      .finally(() => {
        worker.active -= 1;
        this.running.delete(done);
        this.drain(entry.name);
      });
    this.running.add(done);
  }

  private attemptFailed(entry: Entry, error: unknown): void {
    if (entry.attempt < entry.maxAttempts && this.closing === undefined) {
      const delayMs = backoffDelay(entry.backoff, entry.attempt);
      entry.attempt += 1;
      this.delay(entry, delayMs);
      return;
    }
    this.jobs.delete(jobKey(entry.name, entry.id));
    const list = this.dropped.get(entry.name) ?? [];
    list.unshift({
      id: entry.id,
      name: entry.name,
      payload: entry.payload,
      attempts: entry.attempt,
      error: (error instanceof Error ? error.message : String(error)).slice(0, 500),
      failedAt: Date.now(),
      backoff: entry.backoff,
      maxAttempts: entry.maxAttempts,
    });
    list.length = Math.min(list.length, FAILED_JOBS_KEPT);
    this.dropped.set(entry.name, list);
    this.logger?.error(
      { err: error, job: { name: entry.name, id: entry.id, attempt: entry.attempt, maxAttempts: entry.maxAttempts } },
      this.closing !== undefined
        ? 'job failed while the queue closed; dropped'
        : 'job failed on its last attempt; dropped',
    );
  }
}

function jobKey(name: string, id: string): string {
  return `${name}\u0000${id}`;
}
