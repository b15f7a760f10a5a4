import type { DbOrTx } from '../../infra/db/database.js';
import type { LicenseSummary } from '../licenses/license.js';

/** What a change of quantity asks of a subscription (the subscriptions feature answers; the root connects it). */
export interface ChangedSubscriptions {
  get(
    db: DbOrTx,
    id: number,
  ): Promise<{ id: number; customerId: number; planId: number; state: string; expiresAt: string } | undefined>;
}

/** The licenses a change reads (the licenses feature's store answers, through the root). */
export interface ChangedLicenses {
  get(db: DbOrTx, id: number): Promise<LicenseSummary | undefined>;
  /** A primary's additional keys: what they reserve bounds a decrease. */
  listAdditional(db: DbOrTx, parentLicenseId: number): Promise<LicenseSummary[]>;
  /** Locks the license's row for the rest of the transaction where the database can. */
  lockForChange(tx: DbOrTx, id: number): Promise<unknown>;
}
