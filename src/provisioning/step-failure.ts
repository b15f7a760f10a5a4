import { isKaError } from '../plugin-sdk/ka-error.js';
import { workerActor } from '../kernel/actor.js';
import { errorRecord } from '../features/ka-configurations/ka-error-record.js';
import type {
  KeyCandidateRecord,
  LicenseRequest,
  LicenseRequestState,
} from '../features/license-requests/license-request.js';
import type { PipelineDeps, StepResult } from './pipeline-deps.js';
import { decideOnFailure } from './retry-policy.js';
import { applyTransition } from '../features/audit/transition.js';

/**
 * Records a failed step: either a retry (the request waits in `retryState` until its next
 * attempt) or `needs_manual` with the reason. Both are guarded transitions from `fromState`.
 */
export async function recordFailure(
  deps: PipelineDeps,
  input: {
    request: LicenseRequest;
    fromState: LicenseRequestState;
    retryState: LicenseRequestState;
    step: string;
    attempts: number;
    err: unknown;
    secrets: string[];
    /**
     * The issue call itself failed and the KA says it made no key: forget the send time, so
     * neither a retry nor staff's "retry online" looks for a key that cannot exist. Every other
     * failure in `issuing` (a lookup that could not reach the KA, a key we failed to store)
     * changes nothing about what is known, and the send time stays.
     */
    issueRefused?: boolean;
    /** Keys a lookup could not settle between, kept for staff. */
    keyCandidates?: KeyCandidateRecord[];
  },
): Promise<StepResult> {
  const { request, fromState, retryState, step, attempts, err } = input;
  const error = { ...errorRecord(err, input.secrets), step };
  const decision = decideOnFailure(err, attempts, step, deps.policy);
  const issueSentAt = input.issueRefused && !(isKaError(err) && err.outcomeUnknown) ? null : undefined;
  const keyCandidates = input.keyCandidates ?? (fromState === 'issuing' ? null : undefined);
  if (decision.kind === 'manual') {
    await applyTransition(
      deps.db,
      deps,
      deps.requests.transition(request.id, fromState, 'needs_manual', {
        reason: decision.reason,
        lastError: error,
        attempts,
        nextAttemptAt: null,
        issueSentAt,
        keyCandidates,
      }),
      {
        actor: workerActor,
        action: 'license_request.needs_manual',
        data: { reason: decision.reason, attempts },
        error,
        event: { type: 'license_request.needs_manual', payload: { step } },
      },
    );
    return { next: 'none' };
  }
  const moved = await applyTransition(
    deps.db,
    deps,
    deps.requests.transition(request.id, fromState, retryState, {
      lastError: error,
      attempts,
      nextAttemptAt: deps.now() + decision.delayMs,
      issueSentAt,
      keyCandidates,
    }),
    {
      actor: workerActor,
      action: 'license_request.retry_scheduled',
      data: { step, attempt: attempts, retryInMs: decision.delayMs },
      error,
    },
  );
  return moved ? { next: 'later', delayMs: decision.delayMs } : { next: 'none' };
}
