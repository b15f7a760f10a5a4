import { BullJobQueue } from './bull-job-queue.js';
import { InProcessJobQueue } from './in-process-job-queue.js';
import type { JobQueue, QueueLogger } from './job-queue.js';

export interface CreateJobQueueOptions {
  /** Redis to share jobs through; without it jobs stay in this process. */
  redisUrl?: string;
  /** Prefix of the Redis keys (Bull only). */
  prefix?: string;
  logger?: QueueLogger;
}

/** Bull when a Redis URL is configured (production, several workers); in-process otherwise. */
export function createJobQueue(options: CreateJobQueueOptions = {}): JobQueue {
  const { redisUrl, prefix, logger } = options;
  if (redisUrl) return new BullJobQueue({ redisUrl, prefix, logger });
  return new InProcessJobQueue({ logger });
}
