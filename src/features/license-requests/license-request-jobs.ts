import type { JobQueue } from '../../infra/queue/job-queue.js';

/** The job that advances a license request by one pipeline step; its payload is `{requestId}`. */
export const advanceJob = 'license.advance';

/**
 * Job id of one step of one attempt: duplicates of the same step collapse in the queue, while
 * the next step or attempt gets a new id.
 */
export function advanceJobId(requestId: number, state: string, attempts: number): string {
  return `lr-${requestId}-${state}-${attempts}`;
}

/**
 * Enqueues the request's next pipeline step: the one way an advance job is made (the pipeline,
 * its reconciler, staff's manual actions and a renewal all come here). `idSuffix` sets this
 * enqueue apart from an earlier job of the same step that the queue may still hold (a
 * reconcile round, a renewal). A job that throws (a database hiccup) is tried three times.
 */
export async function enqueueAdvance(
  queue: JobQueue,
  requestId: number,
  state: string,
  attempts: number,
  options: { delayMs?: number; idSuffix?: string } = {},
): Promise<void> {
  const jobId = advanceJobId(requestId, state, attempts) + (options.idSuffix ? `-${options.idSuffix}` : '');
  await queue.enqueue(advanceJob, { requestId }, { jobId, delayMs: options.delayMs ?? 0, attempts: 3 });
}
