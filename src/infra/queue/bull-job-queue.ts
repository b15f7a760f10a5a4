import Bull from 'bull';
import { Redis, type RedisOptions } from 'ioredis';
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

export interface BullJobQueueOptions {
  redisUrl: string;
  /** Prefix of every Redis key; lets several deployments (or test runs) share one Redis. */
  prefix?: string;
  logger?: QueueLogger;
}

/** Name of our backoff strategy, stored with each job so every worker applies the same one. */
const BACKOFF_STRATEGY = 'keyway-exponential-jitter';
/** Bound on the Redis round trips of close() once the handlers are done or given up on. */
const DISCONNECT_TIMEOUT_MS = 2000;

/** bull and ioredis both reject these options on connections that block or subscribe. */
const BLOCKING_CONNECTION: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: false };

/** Listeners a shared connection may hold, per event, before Node warns of a leak. */
const maxQueueNames = 64;

/**
 * Jobs in Redis through bull 4: survives restarts and spreads work over several processes.
 *
 * One bull queue per job name, created on first use. Bull is given connections we open
 * (`createClient`) and never closes them itself, so this class owns and closes all of them:
 * one command connection and one subscriber shared by all names, and one blocking connection
 * per name (a blocking read holds its connection).
 */
export class BullJobQueue implements JobQueue {
  private readonly redisUrl: string;
  private readonly prefix: string;
  private readonly logger: QueueLogger | undefined;
  private readonly queues = new Map<string, Bull.Queue>();
  /** Names this instance runs a handler for. */
  private readonly handled = new Set<string>();
  private readonly connections: Redis[] = [];
  private shared: { client?: Redis; subscriber?: Redis } = {};
  private closing: Promise<void> | undefined;

  constructor(options: BullJobQueueOptions) {
    this.redisUrl = options.redisUrl;
    this.prefix = options.prefix ?? 'keyway';
    this.logger = options.logger;
  }

  async enqueue<P>(name: string, payload: P, options: EnqueueOptions = {}): Promise<string> {
    this.assertOpen();
    const queue = this.queue(name);
    const { jobId } = options;
    if (jobId !== undefined && !(await this.releaseFinishedId(queue, jobId))) return jobId;
    const attempts = Math.max(1, options.attempts ?? 1);
    const jobOptions: Bull.JobOptions = {
      removeOnComplete: true,
      removeOnFail: FAILED_JOBS_KEPT,
      attempts,
    };
    if (jobId !== undefined) jobOptions.jobId = jobId;
    if (options.delayMs !== undefined && options.delayMs > 0) jobOptions.delay = options.delayMs;
    if (attempts > 1) jobOptions.backoff = { type: BACKOFF_STRATEGY, options: options.backoff ?? DEFAULT_BACKOFF };
    const job = await queue.add(payload, jobOptions);
    return String(job.id);
  }

  process<P>(name: string, concurrency: number, handler: JobHandler<P>): void {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(`Concurrency of job "${name}" must be a positive integer, got ${concurrency}`);
    }
    this.assertOpen();
    const queue = this.queue(name);
    if (this.handled.has(name)) throw new Error(`Job "${name}" already has a handler`);
    this.handled.add(name);
    // bull's promise settles only when the queue closes; a rejection means the worker stopped.
    queue
      // biome-ignore lint/nursery/noMisusedPromises: bull awaits a handler that returns a promise (its overload without `done`).
      .process(concurrency, async (job: Bull.Job) => {
        const context: JobContext<P> = {
          id: String(job.id),
          name,
          payload: job.data as P,
          attempt: job.attemptsMade + 1,
          maxAttempts: job.opts.attempts ?? 1,
        };
        try {
          await handler(context);
        } catch (error) {
          if (context.attempt >= context.maxAttempts) {
            this.logger?.error(
              { err: error, job: { name, id: context.id, attempt: context.attempt, maxAttempts: context.maxAttempts } },
              'job failed on its last attempt; dropped',
            );
          }
          throw error;
        }
      })
      .catch((error: unknown) => {
        if (this.closing === undefined) this.logger?.error({ err: error, job: { name } }, 'job worker stopped');
      });
  }

  async counts(): Promise<{ waiting: number; delayed: number; active: number }> {
    const counts = { waiting: 0, delayed: 0, active: 0 };
    for (const queue of this.queues.values()) {
      const one = await queue.getJobCounts();
      counts.waiting += one.waiting;
      counts.delayed += one.delayed;
      counts.active += one.active;
    }
    return counts;
  }

  async depth(names?: readonly string[]): Promise<QueueDepth[]> {
    const depths: QueueDepth[] = [];
    for (const name of names ?? [...this.queues.keys()]) {
      const queue = this.queue(name);
      const counts = await queue.getJobCounts();
      // The wait list is FIFO: its oldest job is the next one a worker takes.
      const [oldest] = await queue.getJobs(['waiting'], 0, 0, true);
      const dueAt = oldest ? oldest.timestamp + (oldest.opts.delay ?? 0) : undefined;
      depths.push({
        name,
        waiting: counts.waiting,
        delayed: counts.delayed,
        active: counts.active,
        failed: counts.failed,
        oldestWaitingMs: dueAt === undefined ? null : Math.max(0, Date.now() - dueAt),
      });
    }
    return depths;
  }

  async failed(name: string, limit = FAILED_JOBS_KEPT): Promise<FailedJob[]> {
    const jobs = await this.queue(name).getFailed(0, Math.max(0, limit - 1));
    return jobs
      .filter((job): job is Bull.Job => Boolean(job))
      .sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0))
      .map((job) => ({
        id: String(job.id),
        name,
        payload: job.data,
        attempts: job.attemptsMade,
        error: String(job.failedReason ?? '').slice(0, 500),
        failedAt: job.finishedOn ?? job.timestamp,
      }));
  }

  async retryFailed(name: string, id: string): Promise<boolean> {
    const queue = this.queue(name);
    const job = await queue.getJob(id);
    if (!job || (await job.getState()) !== 'failed') return false;
    // Bull's own retry keeps counting attempts; a retried job starts from its first, as added.
    const { attempts, backoff } = job.opts;
    await job.remove();
    const options: Bull.JobOptions = { jobId: id, removeOnComplete: true, removeOnFail: FAILED_JOBS_KEPT, attempts };
    if (backoff !== undefined) options.backoff = backoff;
    await queue.add(job.data, options);
    return true;
  }

  async removeFailed(name: string, id: string): Promise<boolean> {
    const job = await this.queue(name).getJob(id);
    if (!job || (await job.getState()) !== 'failed') return false;
    await job.remove();
    return true;
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const queues = [...this.queues.values()];
    // A local pause stops taking jobs and resolves once the handlers in flight are done.
    const settled = await withTimeout(
      Promise.all(queues.map((queue) => queue.pause(true, false))).then(() => true),
      timeoutMs,
    ).catch(() => true);
    if (settled === undefined) {
      this.logger?.warn({ timeoutMs }, 'job queue closed with handlers still running');
    }
    // Not waiting for jobs (done, or given up on above): clears bull's timers. Their jobs'
    // locks expire and another worker picks them up as stalled: at-least-once.
    await withTimeout(
      Promise.all(queues.map((queue) => queue.close(true))).catch(() => undefined),
      DISCONNECT_TIMEOUT_MS,
    );
    await Promise.all(this.connections.map((connection) => disconnect(connection)));
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new Error('Job queue is closed');
  }

  /** True when `jobId` is free to add: absent, or finished (a kept failed job is removed). */
  private async releaseFinishedId(queue: Bull.Queue, jobId: string): Promise<boolean> {
    const existing = await queue.getJob(jobId);
    if (!existing) return true;
    const state = await existing.getState();
    if (state !== 'failed' && state !== 'completed') return false;
    // Another process may re-add the id between remove and add; add is then a no-op and one
    // job still runs.
    await existing.remove().catch(() => undefined);
    return true;
  }

  private queue(name: string): Bull.Queue {
    const existing = this.queues.get(name);
    if (existing) return existing;
    const queue = new Bull(name, {
      prefix: this.prefix,
      createClient: (type) => this.connect(type),
      settings: {
        backoffStrategies: {
          [BACKOFF_STRATEGY]: (attemptsMade: number, _error: Error, policy?: BackoffPolicy) =>
            backoffDelay(policy ?? DEFAULT_BACKOFF, attemptsMade),
        },
      },
    });
    // Connection errors repeat on every reconnect attempt; warn, since ioredis retries.
    queue.on('error', (error: Error) => this.logger?.warn({ err: error, queue: name }, 'job queue error'));
    this.queues.set(name, queue);
    return queue;
  }

  private connect(type: 'client' | 'subscriber' | 'bclient'): Redis {
    if (type === 'client' && this.shared.client) return this.shared.client;
    if (type === 'subscriber' && this.shared.subscriber) return this.shared.subscriber;
    const connection = new Redis(this.redisUrl, type === 'client' ? {} : BLOCKING_CONNECTION);
    // Every queue listens for errors on the connections it shares: one listener per queue name
    // (a fixed set, a dozen today), not a leak, which Node's warning at 10 would claim.
    if (type !== 'bclient') connection.setMaxListeners(maxQueueNames);
    this.connections.push(connection);
    if (type === 'client') this.shared.client = connection;
    if (type === 'subscriber') this.shared.subscriber = connection;
    return connection;
  }
}

/** Resolves with the promise's value, or undefined once `ms` have passed. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function disconnect(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  // quit lets queued commands finish; a blocked or unreachable connection is cut instead.
  await withTimeout(
    connection.quit().catch(() => undefined),
    DISCONNECT_TIMEOUT_MS,
  );
  connection.disconnect();
}
