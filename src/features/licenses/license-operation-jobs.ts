import type { JobQueue } from '../../infra/queue/job-queue.js';

/** The job that runs a worker-run license operation (`license_operations` row); its payload is `{operationId}`. */
export const operationJob = 'license.operation';

/**
 * Enqueues a worker-run operation's next step: the job id names the state and attempt, so
 * duplicates of one attempt collapse, and `idSuffix` sets a re-enqueue apart (a reconcile
 * round, staff's retry).
 */
export async function enqueueOperation(
  queue: JobQueue,
  operationId: number,
  state: string,
  attempts: number,
  options: { delayMs?: number; idSuffix?: string } = {},
): Promise<void> {
  const jobId = `lo-${operationId}-${state}-${attempts}${options.idSuffix ? `-${options.idSuffix}` : ''}`;
  await queue.enqueue(operationJob, { operationId }, { jobId, delayMs: options.delayMs ?? 0, attempts: 3 });
}
