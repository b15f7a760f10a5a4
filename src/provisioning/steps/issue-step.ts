import { workerActor } from '../../kernel/actor.js';
import { applyTransition } from '../../features/audit/transition.js';
import type { IssuedKey } from '../../plugin-sdk/ka-adapter.js';
import { isKaError } from '../../plugin-sdk/ka-error.js';
import type { PipelineDeps, StepInput, StepResult } from '../pipeline-deps.js';
import { recordFailure } from '../step-failure.js';
import { checkIssuedKey } from '../ka-answer-checks.js';
import { recordKey } from './record-key.js';

/**
 * `ready`: ask the KA for a key. The send time is stored first (`issuing`), so whoever finds
 * the request in `issuing` later knows a key may exist and looks before sending again.
 */
export async function issueKey(deps: PipelineDeps, input: StepInput): Promise<StepResult> {
  const { request } = input;
  const attempts = request.attempts + 1;
  const sentAt = deps.now();
  // No error while the call is on its way: peers' lookups tell it from an unknown outcome.
  const claimed = await applyTransition(
    deps.db,
    deps,
    deps.requests.move(request, 'ready', 'issuing', { attempts, issueSentAt: sentAt, lastError: null }),
    {
      actor: workerActor,
      action: 'license_request.issuing',
      data: { attempt: attempts, configurationId: input.configuration.id },
    },
  );
  if (!claimed) return { next: 'none' };
  const secrets = deps.configurations.secretsOf(input.configuration);
  let key: IssuedKey;
  try {
    key = await input.adapter.issueKey(input.order);
  } catch (err) {
    // A known failure means no key was made: back to `ready`. An unknown outcome stays in
    // `issuing`, so the next attempt looks the key up first.
    const unknown = isKaError(err) && err.outcomeUnknown;
    return await recordFailure(deps, {
      request: claimed,
      fromState: 'issuing',
      retryState: unknown ? 'issuing' : 'ready',
      step: 'issue key',
      attempts,
      err,
      secrets,
      issueRefused: true,
    });
  }
  // The KA made a key we cannot hold: staff look at it; the send time stays, since the key exists.
  const unfit = checkIssuedKey(key);
  if (unfit)
    return await recordFailure(deps, {
      request: claimed,
      fromState: 'issuing',
      retryState: 'issuing',
      step: 'issue key',
      attempts,
      err: unfit,
      secrets,
    });
  try {
    const recorded = await recordKey(deps, input, claimed, key, 'issued');
    if (recorded !== 'held') return recorded;
    // A peer's lookup claimed this very key (keys of one product and server are
    // interchangeable): this request stays in `issuing` and its lookup takes the key left free.
    await deps.audit.record(deps.db, {
      actor: workerActor,
      action: 'license_request.key_taken',
      entityType: 'license_request',
      entityId: request.id,
      data: { keyNumber: key.keyNumber },
    });
    return { next: 'now', request: claimed };
  } catch (err) {
    // The KA made the key but storing it failed (the database, not the KA): the request must
    // not go back to `ready`, or the retry would ask for a second key. It stays in `issuing`
    // with its send time, and the retry finds the key by our reference.
    return await recordFailure(deps, {
      request: claimed,
      fromState: 'issuing',
      retryState: 'issuing',
      step: 'store key',
      attempts,
      err,
      secrets,
    });
  }
}
