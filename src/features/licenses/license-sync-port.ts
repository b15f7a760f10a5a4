import type { DbOrTx } from '../../infra/db/database.js';
import type { GuardedMove } from '../audit/transition.js';
import type { LicenseTerm } from './license-port.js';
import type { License, LicenseStatus } from './license.js';
import type { SyncDifference, SyncState } from './license-sync-state.js';

/** A sync's outcome as stored on the license, and when the scheduled sync next reads it. */
export interface SyncRecord {
  state: SyncState;
  differences: SyncDifference[];
  error?: string;
  at: number;
  nextDueAt: number;
}

/** The KA's facts Keyway takes when staff accept them (what is absent stays). */
export interface KaFactsAccepted {
  keyExpiresAt?: number | null;
  /** The term's end: moves with the key's expiry for a fixed term, never for a lease. */
  expiresAt?: number | null;
  updatesUntil?: number | null;
  features?: string[];
  additionalKeyNumbers?: string[];
}

/**
 * What the sync of licenses with their KAs (the license-sync feature) may do with licenses:
 * read one, claim the due ones, record each sync's outcome, and take the KA's facts (a
 * renewal the KA made, guarded on the expiry it read; what staff accepted) or move the status
 * with a guarded move it applies with its audit event. `LicenseStore` implements it.
 */
export interface LicenseSyncPort {
  get(db: DbOrTx, id: number): Promise<License | undefined>;
  /** Licenses of a configuration whose scheduled sync is due at `now`, longest due first. */
  dueForSync(
    db: DbOrTx,
    configurationId: number,
    now: number,
    limit: number,
  ): Promise<Array<{ id: number; dueAt: number }>>;
  /** Moves a due license's `sync_due_at` from what was read to `until`: of several workers, one wins it. */
  claimSync(db: DbOrTx, id: number, dueAt: number, until: number): Promise<boolean>;
  recordSync(db: DbOrTx, id: number, record: SyncRecord): Promise<void>;
  /** The KA renewed the key: new dates, only if the key's expiry is still `fromKeyExpiresAt`; answers whether it moved. */
  applyKaRenewal(
    db: DbOrTx,
    id: number,
    fromKeyExpiresAt: number | null,
    term: Pick<LicenseTerm, 'keyExpiresAt' | 'expiresAt' | 'updatesUntil'>,
  ): Promise<boolean>;
  acceptKaFacts(db: DbOrTx, id: number, facts: KaFactsAccepted): Promise<void>;
  /** Asks the file refresh to look at the key now (a new revision at the KA). */
  refreshNow(db: DbOrTx, id: number, now: number): Promise<void>;
  setStatus(
    id: number,
    from: LicenseStatus[],
    to: LicenseStatus,
    extra?: { suspendedInKeywayOnly?: boolean },
  ): GuardedMove;
}
