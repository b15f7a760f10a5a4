import { BullJobQueue } from './bull-job-queue.js';
import { InProcessJobQueue } from './in-process-job-queue.js';
import type { JobQueue, QueueLogger } from './job-queue.js';
import { TracedJobQueue } from './traced-job-queue.js';

export interface CreateJobQueueOptions {
  /** Redis to share jobs through; without it jobs stay in this process. */
  redisUrl?: string;
  /** Prefix of the Redis keys (Bull only). */
  prefix?: string;
  logger?: QueueLogger;
}

/**
 * Bull when a Redis URL is configured (production, several workers); in-process otherwise.
 * Either way jobs carry the trace of whoever enqueued them (`TracedJobQueue`).
 */
export function createJobQueue(options: CreateJobQueueOptions = {}): JobQueue {
  const { redisUrl, prefix, logger } = options;
  const driver = redisUrl ? new BullJobQueue({ redisUrl, prefix, logger }) : new InProcessJobQueue({ logger });
  return new TracedJobQueue(driver);
}
