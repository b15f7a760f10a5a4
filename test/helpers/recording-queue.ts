import type { EnqueueOptions, JobQueue } from '../../src/infra/queue/job-queue.js';

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

  async close(): Promise<void> {}

  /** The job ids enqueued so far, and forgets them. */
  take(): string[] {
    return this.jobs.splice(0).map((j) => `${j.options.jobId}${j.options.delayMs ? ` +${j.options.delayMs}ms` : ''}`);
  }
}
