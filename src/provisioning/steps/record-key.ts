import { workerActor } from '../../kernel/actor.js';
import type { LicenseRequest } from '../../features/license-requests/license-request.js';
import { isUniqueViolation } from '../../infra/db/transaction.js';
import { applyTransition, inTransaction } from '../../features/audit/transition.js';
import type { IssuedKey } from '../../plugin-sdk/ka-adapter.js';
import type { PipelineDeps, StepInput, StepResult } from '../pipeline-deps.js';
import { termOfKey } from '../key-term.js';
import { newLicenseOf } from './step-payloads.js';

/** How the request came by its key: its own issue call, our reference at the KA, or a claim among interchangeable keys. */
export type KeySource = 'issued' | 'found' | 'claimed';

/**
 * Persists the key and moves `issuing → key_issued` in one transaction. The license row is
 * the key's claim: a key is held by one license of its configuration (a unique index), so when
 * two requests take the same key only one commits, and the other answers `held` with nothing
 * written.
 */
export async function recordKey(
  deps: PipelineDeps,
  input: StepInput,
  request: LicenseRequest,
  key: IssuedKey,
  how: KeySource,
): Promise<StepResult | 'held'> {
  const { configuration } = input;
  let stored: { request: LicenseRequest; license: NonNullable<StepInput['memo']['newLicense']> } | undefined;
  // A key the KA leases month by month lasts as long as the subscription: that is its real expiry.
  const termEndsAt =
    key.termKind === 'lease' && request.subscriptionId !== null && deps.termEndOf
      ? await deps.termEndOf(request.subscriptionId)
      : null;
  const term = termOfKey(key, { termEndsAt, now: deps.now() });
  // A migration's key is sold by period, not to a date: the license keeps the term that remained.
  if (request.source === 'migration') term.expiresAt = (await migratedTermEnd(deps, request)) ?? term.expiresAt;
  try {
    stored = await inTransaction(deps.db, async (tx) => {
      let license: NonNullable<StepInput['memo']['newLicense']> | undefined;
      const moved = await applyTransition(
        tx,
        deps,
        deps.requests.move(request, 'issuing', 'key_issued', {
          attempts: 0,
          lastError: null,
          nextAttemptAt: deps.now(),
          keyCandidates: null,
        }),
        async (tx) => {
          license = await deps.licenses.insert(tx, newLicenseOf(request, configuration, key, term));
          return {
            actor: workerActor,
            action: 'license_request.key_issued',
            data: { keyNumber: key.keyNumber, licenseId: license.id, how },
          };
        },
      );
      // Lost the race (a person cancelled or uploaded meanwhile): the key stays at the KA, staff see it in the audit.
      if (!moved || !license) {
        await deps.audit.record(tx, {
          actor: workerActor,
          action: 'license_request.key_orphaned',
          entityType: 'license_request',
          entityId: request.id,
          data: { keyNumber: key.keyNumber },
        });
        return undefined;
      }
      return { request: moved, license };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return 'held';
    throw err;
  }
  if (!stored) return { next: 'none' };
  input.memo.newLicense = stored.license;
  return { next: 'now', request: stored.request };
}

/** The real end of a migrated license's term: its subscription's, or else its predecessor's. */
async function migratedTermEnd(deps: PipelineDeps, request: LicenseRequest): Promise<number | null> {
  if (request.subscriptionId !== null && deps.termEndOf) {
    const end = await deps.termEndOf(request.subscriptionId);
    if (end !== null) return end;
  }
  if (request.predecessorLicenseId === null) return null;
  const expiresAt = (await deps.licenses.get(deps.db, request.predecessorLicenseId))?.expiresAt;
  return expiresAt ? Date.parse(expiresAt) : null;
}
