import { applyTransition, type TransitionEventWriter } from '../../features/audit/transition.js';
import type { AuditStore } from '../../features/audit/audit-store.js';
import { enqueueAdvance } from '../../features/license-requests/license-request-jobs.js';
import type { LicenseRequestStore } from '../../features/license-requests/license-request-store.js';
import type { DbOrTx } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { workerActor } from '../../kernel/actor.js';

export interface RefetchDeps {
  requests: LicenseRequestStore;
  audit: AuditStore;
  events: TransitionEventWriter;
  queue: JobQueue;
  now: () => number;
}

/**
 * Sends an installed license's request back to `key_issued`, in the transaction of the change
 * that gave the key a new file (a renewal, a new quota), so the pipeline fetches and installs
 * it. A request that is not installed is left alone: its next fetch picks the new file up.
 * Answers what to run once committed (the pipeline's job), or undefined.
 */
export async function refetchKeyFile(
  tx: DbOrTx,
  deps: RefetchDeps,
  change: { requestId: number; licenseId: number; operationId: number; started: string; waits: string; job: string },
): Promise<(() => Promise<void>) | undefined> {
  const { requestId, licenseId, operationId } = change;
  const moved = await applyTransition(
    tx,
    deps,
    deps.requests.transition(requestId, 'installed', 'key_issued', {
      attempts: 0,
      lastError: null,
      reason: null,
      nextAttemptAt: deps.now(),
    }),
    {
      actor: workerActor,
      action: change.started,
      data: { licenseId, operationId },
      whenLost: [
        {
          actor: workerActor,
          action: change.waits,
          entityType: 'license_request',
          entityId: requestId,
          data: {
            licenseId,
            operationId,
            why: 'the request is not installed; its next fetch of the key files picks up the new file',
          },
        },
      ],
    },
  );
  return moved
    ? () => enqueueAdvance(deps.queue, requestId, 'key_issued', 0, { idSuffix: `${change.job}-${operationId}` })
    : undefined;
}
