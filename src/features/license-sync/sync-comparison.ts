import type { LicenseSummary } from '../licenses/license.js';
import type { SyncDifference } from '../licenses/license-sync-state.js';
import type { KeyInfo } from '../../plugin-sdk/ka-adapter.js';

/**
 * What a sync found: facts Keyway follows at once (`automatic`, with what they apply) and the
 * rest, which staff resolve (`differences`).
 */
export interface Comparison {
  /** The differences Keyway applies by itself; recorded with the sync, not left for staff. */
  automatic: SyncDifference[];
  /** The KA terminated the key: the license is terminated in Keyway. */
  terminated: boolean;
  /** The KA renewed a fixed-term key (a later expiry): Keyway takes its new dates. */
  renewed?: { keyExpiresAt: number; updatesUntil?: number | null };
  /** The KA has a new file (a new revision, a renewal, a lease period it renewed): the file refresh fetches it. */
  refresh: boolean;
  /** What staff resolve: accept the KA's facts or push Keyway's. */
  differences: SyncDifference[];
}

/** The status the KA should report for the license as Keyway has it. */
export type KaStatus = 'active' | 'suspended' | 'terminated';

export function kaStatusOf(info: Pick<KeyInfo, 'terminated' | 'suspended'>): KaStatus {
  return info.terminated ? 'terminated' : info.suspended ? 'suspended' : 'active';
}

/** A license suspended in Keyway only (its plugin cannot suspend) is active at the KA, as it should be. */
export function expectedKaStatus(license: Pick<LicenseSummary, 'status' | 'suspendedInKeywayOnly'>): KaStatus {
  if (license.status === 'terminated') return 'terminated';
  return license.status === 'suspended' && !license.suspendedInKeywayOnly ? 'suspended' : 'active';
}

/** Dates are compared to the second: some KAs answer no finer, and Keyway stores what they said. */
const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const parsed = (text: string | null) => (text ? Date.parse(text) : null);
const kaDate = (d: Date | null | undefined) => (d === undefined ? undefined : d === null ? null : d.getTime());
const sorted = (list: readonly string[]) => [...list].sort();
const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && sorted(a).every((x, i) => x === sorted(b)[i]);

/**
 * Compares a license with its key's facts at the KA, field by field. Automatic: a key the KA
 * terminated (nothing else is compared then), a later key expiry (a fixed term renewed at the
 * KA; a lease period the KA renewed itself, on a license with a request to refresh its file),
 * a new file revision (likewise). A terminated license is compared by status only. Quota,
 * farms and activations are not compared: Keyway keeps none of them on a license.
 */
export function compareWithKa(license: LicenseSummary, info: KeyInfo): Comparison {
  const result: Comparison = { automatic: [], terminated: false, refresh: false, differences: [] };
  const ka = kaStatusOf(info);
  const keyway = expectedKaStatus(license);
  if (ka !== keyway) {
    const difference: SyncDifference = { field: 'status', ka, keyway };
    if (ka === 'terminated') {
      result.terminated = true;
      result.automatic.push(difference);
      return result;
    }
    result.differences.push(difference);
  }
  if (license.status === 'terminated') return result;

  const kaExpiry = kaDate(info.expiresAt);
  const keywayExpiry = parsed(license.keyExpiresAt ?? license.expiresAt);
  let renewedUpdates = false;
  if (kaExpiry !== undefined && seconds(kaExpiry) !== seconds(keywayExpiry)) {
    const difference: SyncDifference = { field: 'keyExpiresAt', ka: iso(kaExpiry), keyway: iso(keywayExpiry) };
    const lease = license.termKind === 'lease';
    // A lease renews itself at the KA and the file refresh takes its new period through the
    // license's request; a lease with none (an additional key) has nothing that would follow
    // it, so its later expiry is a difference for staff, not a fact recorded as applied.
    if (
      kaExpiry !== null &&
      keywayExpiry !== null &&
      kaExpiry > keywayExpiry &&
      !(lease && license.requestId === null)
    ) {
      result.automatic.push(difference);
      result.refresh = license.requestId !== null;
      // A term was renewed there.
      if (!lease) {
        const updatesUntil = kaDate(info.updatesUntil);
        result.renewed = { keyExpiresAt: kaExpiry, ...(updatesUntil === undefined ? {} : { updatesUntil }) };
        renewedUpdates = updatesUntil !== undefined;
      }
    } else result.differences.push(difference);
  }
  const kaUpdates = kaDate(info.updatesUntil);
  const keywayUpdates = parsed(license.updatesUntil);
  if (kaUpdates !== undefined && seconds(kaUpdates) !== seconds(keywayUpdates)) {
    const difference: SyncDifference = { field: 'updatesUntil', ka: iso(kaUpdates), keyway: iso(keywayUpdates) };
    (renewedUpdates ? result.automatic : result.differences).push(difference);
  }
  if (!sameList(info.features ?? [], license.features))
    result.differences.push({ field: 'features', ka: sorted(info.features ?? []), keyway: sorted(license.features) });
  if (!sameList(info.additionalKeyNumbers ?? [], license.additionalKeyNumbers))
    result.differences.push({
      field: 'additionalKeyNumbers',
      ka: sorted(info.additionalKeyNumbers ?? []),
      keyway: sorted(license.additionalKeyNumbers),
    });
  if (info.revision !== undefined && license.revision !== null && info.revision !== license.revision) {
    const difference: SyncDifference = { field: 'revision', ka: info.revision, keyway: license.revision };
    // The refresh fetches it through the license's request; a hand-made license has none.
    if (license.requestId !== null) {
      result.automatic.push(difference);
      result.refresh = true;
    } else result.differences.push(difference);
  }
  return result;
}
