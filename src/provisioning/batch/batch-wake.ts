import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { ReadyBatch } from './ready-batch.js';

/** The job that wakes a worker to take batches of ready license requests; it carries nothing. */
export const batchJob = 'license.batch';

/**
 * Wakes the batch pipeline when requests become ready. The queue carries no ids, only a
 * wake-up: the worker takes the requests from the database. Wake-ups of one window
 * (`windowMs`) are one job, due when the window closes, so it finds every request made ready
 * within it (each was committed before its wake-up was asked for), and the queue sees at most
 * one job per window whatever the number of licenses. This process asks once per window.
 */
export class BatchWake {
  private lastWindow = -1;

  constructor(
    private readonly queue: JobQueue,
    private readonly windowMs = 20,
    private readonly now: () => number = Date.now,
  ) {}

  async wake(): Promise<void> {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    if (window === this.lastWindow) return;
    await this.queue.enqueue(
      batchJob,
      {},
      { jobId: `batch-${window}`, delayMs: (window + 1) * this.windowMs - now, attempts: 3 },
    );
    // Only once it is queued: a failed wake-up is asked for again by the next request.
    this.lastWindow = window;
  }
}

/**
 * Worker role: each wake-up takes batches until one comes back short (nothing more is ready).
 * `concurrency` wake-ups run at once, each its own batches.
 */
export function registerBatchJobs(queue: JobQueue, batch: ReadyBatch, concurrency: number): void {
  queue.process(batchJob, concurrency, async () => {
    while ((await batch.runOnce()) >= batch.size) {
      // A full batch: more may be waiting.
    }
  });
}
