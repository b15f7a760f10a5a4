import type { EnqueueOptions, FailedJob, JobQueue, QueueDepth } from '../../src/infra/queue/job-queue.js';

/** A queue that only records what is enqueued (unit tests run the jobs by hand, when they choose). */
export class RecordingQueue implements JobQueue {
  readonly jobs: Array<{ name: string; payload: unknown; options: EnqueueOptions }> = [];

  async enqueue<P>(name: string, payload: P, options: EnqueueOptions = {}): Promise<string> {
    this.jobs.push({ name, payload, options });
    return options.jobId ?? String(this.jobs.length);
  }

  process(): void {}

  async counts(): Promise<{ waiting: number; delayed: number; active: number }> {
    return { waiting: this.jobs.length, delayed: 0, active: 0 };
  }

  async depth(names?: readonly string[]): Promise<QueueDepth[]> {
    const known = names ?? [...new Set(this.jobs.map((j) => j.name))];
    return known.map((name) => ({
      name,
      waiting: this.jobs.filter((j) => j.name === name).length,
      delayed: 0,
      active: 0,
      failed: 0,
      oldestWaitingMs: null,
    }));
  }

  /** Nothing runs here, so nothing fails. */
  async failed(): Promise<FailedJob[]> {
    return [];
  }

  async retryFailed(): Promise<boolean> {
    return false;
  }

  async removeFailed(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {}

  /** The job ids enqueued so far, and forgets them. */
  take(): string[] {
    return this.jobs.splice(0).map((j) => `${j.options.jobId}${j.options.delayMs ? ` +${j.options.delayMs}ms` : ''}`);
  }
}
