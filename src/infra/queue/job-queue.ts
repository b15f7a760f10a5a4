/** Backoff between queue-level attempts of a job whose handler threw. */
export interface BackoffPolicy {
  /** Delay before the 2nd attempt; doubles each attempt after. */
  initialDelayMs: number;
  /** Upper bound of one delay. */
  maxDelayMs?: number;
  /** Fraction (0..1) of random spread added to each delay so retries do not stampede. */
  jitter?: number;
}

/**
 * Used when a job has more than one attempt but no `backoff`: long enough that a flapping
 * dependency gets a breather, short enough that a transient error costs seconds, not minutes.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 1000, maxDelayMs: 60_000, jitter: 0.2 };

/** How long `close()` waits for handlers in flight when no `timeoutMs` is given. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/**
 * The part of a logger the queue uses: pino's `Logger` fits. The queue logs only what nobody
 * else would see: a job dropped after its last attempt, and driver (connection) errors.
 */
export interface QueueLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface EnqueueOptions {
  /**
   * Deduplication key, unique per job name. While a job with this id is waiting, delayed or
   * running, enqueueing the same id again is a no-op that returns the same id. Once it has
   * finished (done, or dropped after its last attempt) the id may be used again.
   */
  jobId?: string;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /** Total tries when the handler throws (default 1: no queue-level retry). */
  attempts?: number;
  /** Delay between tries; `DEFAULT_BACKOFF` when omitted. */
  backoff?: BackoffPolicy;
}

/** What a handler sees of a job: never the driver's own job type. */
export interface JobContext<P> {
  id: string;
  name: string;
  payload: P;
  /** 1 on the first try. */
  attempt: number;
  /** Attempts allowed in total. */
  maxAttempts: number;
}

/** One job name's depth, as `JobQueue.depth` reads it. */
export interface QueueDepth {
  name: string;
  waiting: number;
  delayed: number;
  active: number;
  /** Jobs dropped after their last attempt and still kept for operators (`JobQueue.failed`). */
  failed: number;
  /** Milliseconds since the oldest waiting job became due; null when nothing waits. */
  oldestWaitingMs: number | null;
}

/** How many failed jobs a queue keeps per job name for operators; older ones are forgotten. */
export const FAILED_JOBS_KEPT = 500;

/** A job dropped after its last attempt, kept so an operator can see why and run it again. */
export interface FailedJob {
  id: string;
  name: string;
  payload: unknown;
  /** Attempts made. */
  attempts: number;
  /** The last attempt's error message (never its stack). */
  error: string;
  /** Milliseconds since the epoch. */
  failedAt: number;
}

export type JobHandler<P> = (job: JobContext<P>) => Promise<void>;

export interface CloseOptions {
  /** Wait at most this long for handlers in flight; then give up on them. */
  timeoutMs?: number;
}

/**
 * The job queue every background step goes through.
 *
 * Promises:
 * - Delivery is **at least once**: a job may run twice (worker crash, lost lock), so handlers
 *   must be idempotent; the database, not the queue, holds the truth of what was done.
 * - Payloads are small JSON (ids only), never domain objects or secrets.
 * - A handler that throws is retried up to `attempts` with exponential backoff and jitter;
 *   after the last try the job is dropped (logged), never retried forever.
 * - `close` stops taking new jobs, waits for handlers in flight up to `timeoutMs`, then
 *   releases every connection the queue opened.
 *
 * Not for: exactly-once effects, or anything that must survive without its database record
 * (the reconciler re-enqueues from the database when jobs are lost).
 *
 * No recurring jobs (`schedule`) on purpose: periodic work here is recovery from a lost
 * queue, and a schedule kept in the queue (Redis) is lost with it. Periodic work runs on a
 * timer in each worker (`ReconcileLoop`) and is idempotent.
 */
export interface JobQueue {
  /** Returns the job id (the given `jobId`, or a generated one). */
  enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<string>;
  /**
   * Start running jobs of `name`, at most `concurrency` at a time in this process. One handler
   * per name and queue instance: registering a second one throws.
   */
  process<P>(name: string, concurrency: number, handler: JobHandler<P>): void;
  /**
   * Jobs waiting, delayed or running, for health and tests. Counts the job names this
   * instance has enqueued or processed.
   */
  counts(): Promise<{ waiting: number; delayed: number; active: number }>;
  /**
   * Depth per job name, for metrics and operators: jobs waiting to run, delayed (not due yet)
   * and running, and how long the oldest waiting job has been due (ms; null when none waits).
   * `names` are read even when this instance never used them (an API process reporting the
   * workers' queues); without it, the names this instance has enqueued or processed. Read-only.
   */
  depth(names?: readonly string[]): Promise<QueueDepth[]>;
  /**
   * The failed jobs of `name` still kept (at most `FAILED_JOBS_KEPT` per name), newest first:
   * for the operators' jobs page. Read-only. The in-process driver keeps them in memory (lost
   * with the process, as its pending jobs are); Bull keeps them in Redis.
   */
  failed(name: string, limit?: number): Promise<FailedJob[]>;
  /**
   * Runs a kept failed job again, from a first attempt with its payload and attempt budget.
   * Handlers are idempotent, so a job another process already re-ran does no harm. False when
   * the job is no longer kept (removed, retried, or forgotten).
   */
  retryFailed(name: string, id: string): Promise<boolean>;
  /** Forgets a kept failed job. False when it was not kept. */
  removeFailed(name: string, id: string): Promise<boolean>;
  /** Idempotent. After it, `enqueue` rejects. */
  close(options?: CloseOptions): Promise<void>;
}

/** Delay before attempt `attempt + 1` after `attempt` failed (attempt is 1-based). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = policy.initialDelayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(base, policy.maxDelayMs ?? Number.POSITIVE_INFINITY);
  const jitter = policy.jitter ?? 0;
  return Math.round(capped * (1 + jitter * random()));
}
