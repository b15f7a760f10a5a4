import type { LicenseQuota, LicenseSummary } from '../features/licenses/license.js';
import type { LicenseTerm } from '../features/licenses/license-port.js';
import type { IssuedKey } from '../plugin-sdk/ka-adapter.js';

const ms = (d: Date | null | undefined): number | null | undefined =>
  d === undefined ? undefined : d === null ? null : d.getTime();

/**
 * When the file refresh should next ask the KA for a new revision: when the current lease
 * period ends (the KA renews the lease with a new file), or when the update date passes; the
 * earlier one still to come. Null: nothing to wait for.
 */
export function refreshDueOf(
  term: Pick<LicenseTerm, 'termKind' | 'keyExpiresAt' | 'updatesUntil'>,
  now: number,
): number | null {
  const candidates = [term.termKind === 'lease' ? term.keyExpiresAt : null, term.updatesUntil ?? null].filter(
    (t): t is number => typeof t === 'number' && t > now,
  );
  return candidates.length ? Math.min(...candidates) : null;
}

/**
 * The term Keyway keeps for a key the KA answered (issued, renewed, read). A fixed term ends
 * when the key expires. A lease the KA renews itself ends with the subscription, not with the
 * current lease period: `expiresAt` is then the subscription's end (`termEndsAt`), and the
 * key's own expiry is kept as `keyExpiresAt`. What the KA leaves out stays as `current` had it.
 */
export function termOfKey(
  key: IssuedKey,
  options: { termEndsAt: number | null; now: number; current?: LicenseSummary },
): LicenseTerm {
  const { current } = options;
  const was = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);
  const keyExpiresAt = ms(key.expiresAt) ?? was(current?.keyExpiresAt ?? current?.expiresAt);
  const termKind = key.termKind ?? current?.termKind ?? null;
  const updatesUntil = ms(key.updatesUntil) ?? was(current?.updatesUntil);
  const expiresAt = termKind === 'lease' && options.termEndsAt !== null ? options.termEndsAt : keyExpiresAt;
  return {
    startsAt: ms(key.startsAt) ?? ms(key.createdAt) ?? was(current?.startsAt) ?? null,
    expiresAt,
    keyExpiresAt,
    updatesUntil,
    termKind,
    periodMonths: key.periodMonths ?? current?.periodMonths ?? null,
    revision: key.revision ?? current?.revision ?? null,
    fullKeyNumber: key.fullKeyNumber ?? null,
    refreshDueAt: refreshDueOf({ termKind, keyExpiresAt, updatesUntil }, options.now),
  };
}

/** The quota facts Keyway keeps for a key the KA answered; what the KA leaves out is null. */
export function quotaOfKey(key: IssuedKey): LicenseQuota {
  return { quota: key.quota ?? null, quotaUnit: key.quotaUnit ?? null, quotaReserved: key.quotaReserved ?? null };
}
