import { workerActor } from '../../features/audit/audit-event.js';
import type { LicenseRequest } from '../../features/license-requests/license-request.js';
import type { IssuedKey } from '../../plugin-sdk/ka-adapter.js';
import { isKaError } from '../../plugin-sdk/ka-error.js';
import type { PipelineDeps, StepInput, StepResult } from '../pipeline-deps.js';
import { recordFailure } from '../step-failure.js';
import { transaction } from '../../infra/db/transaction.js';

/** Persists the key and moves `issuing → key_issued` in one transaction. */
async function recordKey(deps: PipelineDeps, input: StepInput, request: LicenseRequest, key: IssuedKey, how: 'issued' | 'found'): Promise<StepResult> {
  const { configuration } = input;
  const stored = await transaction(deps.db, async (tx) => {
    const moved = await deps.requests.move(tx, request, 'issuing', 'key_issued', { attempts: 0, lastError: null, nextAttemptAt: deps.now() });
    // Lost the race (a person cancelled or uploaded meanwhile): the key stays at the KA, staff see it in the audit.
    if (!moved) {
      await deps.audit.record(tx, { actor: workerActor, action: 'license_request.key_orphaned', entityType: 'license_request', entityId: request.id, data: { keyNumber: key.keyNumber } });
      return undefined;
    }
    const license = await deps.licenses.insert(tx, {
      requestId: request.id,
      configurationId: configuration.id,
      subscriptionId: request.subscriptionId,
      customerId: request.customerId,
      keyNumber: key.keyNumber,
      fullKeyNumber: key.fullKeyNumber ?? null,
      productKey: key.productKey ?? null,
      product: request.product,
      features: request.features,
      additionalKeyNumbers: key.additionalKeyNumbers,
      source: 'online',
      expiresAt: key.expiresAt ? key.expiresAt.getTime() : null,
      updatesUntil: key.updatesUntil ? key.updatesUntil.getTime() : null,
    });
    await deps.audit.record(tx, { actor: workerActor, action: 'license_request.key_issued', entityType: 'license_request', entityId: request.id, fromState: 'issuing', toState: 'key_issued', data: { keyNumber: key.keyNumber, licenseId: license.id, how } });
    return { request: moved, license };
  });
  if (!stored) return { next: 'none' };
  input.memo.newLicense = stored.license;
  return { next: 'now', request: stored.request };
}

/**
 * `ready`: ask the KA for a key. The send time is stored first (`issuing`), so whoever finds
 * the request in `issuing` later knows a key may exist and looks before sending again.
 */
export async function issueKey(deps: PipelineDeps, input: StepInput): Promise<StepResult> {
  const { request } = input;
  const attempts = request.attempts + 1;
  const sentAt = deps.now();
  const claimed = await transaction(deps.db, async (tx) => {
    const moved = await deps.requests.move(tx, request, 'ready', 'issuing', { attempts, issueSentAt: sentAt });
    if (moved) await deps.audit.record(tx, { actor: workerActor, action: 'license_request.issuing', entityType: 'license_request', entityId: request.id, fromState: 'ready', toState: 'issuing', data: { attempt: attempts, configurationId: input.configuration.id } });
    return moved;
  });
  if (!claimed) return { next: 'none' };
  const secrets = deps.configurations.secretsOf(input.configuration);
  let key: IssuedKey;
  try {
    key = await input.adapter.issueKey(input.order);
  } catch (err) {
    // A known failure means no key was made: back to `ready`. An unknown outcome stays in
    // `issuing`, so the next attempt looks the key up first.
    const unknown = isKaError(err) && err.outcomeUnknown;
    return recordFailure(deps, { request: claimed, fromState: 'issuing', retryState: unknown ? 'issuing' : 'ready', step: 'issue key', attempts, err, secrets });
  }
  try {
    return await recordKey(deps, input, claimed, key, 'issued');
  } catch (err) {
    // The KA made the key but storing it failed (the database, not the KA): the request must
    // not go back to `ready`, or the retry would ask for a second key. It stays in `issuing`
    // with its send time, and the retry finds the key by our reference.
    return recordFailure(deps, { request: claimed, fromState: 'issuing', retryState: 'issuing', step: 'store key', attempts, err, secrets, keyMayExist: true });
  }
}

/**
 * `issuing` found at the start of a job: an earlier attempt sent the request and its outcome
 * is unknown (timeout, crash). Look the key up by our reference; issue again only when the
 * KA proved there is none.
 */
export async function resolveUnknownIssue(deps: PipelineDeps, input: StepInput): Promise<StepResult> {
  const { request } = input;
  const sentAt = new Date(request.issueSentAt ? Date.parse(request.issueSentAt) : deps.now());
  try {
    const lookup = await input.adapter.findKeyByRef(input.order, sentAt);
    await deps.audit.record(deps.db, { actor: workerActor, action: 'license_request.lookup', entityType: 'license_request', entityId: request.id, data: { status: lookup.status } });
    if (lookup.status === 'found') {
      // A lookup that cannot search by reference (KA partner API) may hand back a key another
      // request already holds; that needs a person, not a retry.
      const holder = await deps.licenses.findByKey(deps.db, input.configuration.id, lookup.key.keyNumber);
      if (!holder || holder.requestId === request.id) return await recordKey(deps, input, request, lookup.key, 'found');
      const reason = `issue key: outcome unknown, and the key ${lookup.key.keyNumber} the KA matched to this request already belongs to license ${holder.id}${holder.requestId === null ? '' : ` (request ${holder.requestId})`}; find this request's own key at the KA`;
      return await needsManual(deps, request.id, reason, { keyNumber: lookup.key.keyNumber, heldByLicense: holder.id, sentAt: sentAt.toISOString() });
    }
    if (lookup.status === 'none') {
      const moved = await deps.requests.move(deps.db, request, 'issuing', 'ready', { nextAttemptAt: deps.now() });
      return moved ? { next: 'now', request: moved } : { next: 'none' };
    }
    const reason = `issue key: outcome unknown and the KA cannot tell: ${lookup.reason}${lookup.candidates.length ? ` (candidates: ${lookup.candidates.join(', ')})` : ''}`;
    return await needsManual(deps, request.id, reason, { candidates: lookup.candidates, sentAt: sentAt.toISOString() });
  } catch (err) {
    const attempts = request.attempts + 1;
    return recordFailure(deps, { request, fromState: 'issuing', retryState: 'issuing', step: 'look up key', attempts, err, secrets: deps.configurations.secretsOf(input.configuration) });
  }
}

/** `issuing → needs_manual`: the lookup could not settle which key is this request's. */
async function needsManual(deps: PipelineDeps, requestId: number, reason: string, data: Record<string, unknown>): Promise<StepResult> {
  await transaction(deps.db, async (tx) => {
    if (await deps.requests.transition(tx, requestId, 'issuing', 'needs_manual', { reason, nextAttemptAt: null })) {
      await deps.audit.record(tx, { actor: workerActor, action: 'license_request.needs_manual', entityType: 'license_request', entityId: requestId, fromState: 'issuing', toState: 'needs_manual', data: { reason, ...data } });
    }
  });
  return { next: 'none' };
}
