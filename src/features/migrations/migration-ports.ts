import type { DbOrTx } from '../../infra/db/database.js';
import type { Actor } from '../../kernel/actor.js';
import type { LicenseRequest } from '../license-requests/license-request.js';
import type { LicenseRequestWriter } from '../license-requests/license-request-port.js';
import type { LicenseSummary } from '../licenses/license.js';

// What migrations ask of the features below; the composition root hands their stores over as these.

/** The licenses a migration moves (the licenses feature answers). */
export interface MigratedLicenses {
  get(db: DbOrTx, id: number): Promise<LicenseSummary | undefined>;
  summaryByRequest(db: DbOrTx, requestId: number): Promise<LicenseSummary | undefined>;
  listBySubscription(db: DbOrTx, subscriptionId: number): Promise<LicenseSummary[]>;
  /** Names the license that replaced this one. */
  linkSuccessor(db: DbOrTx, id: number, successorId: number): Promise<void>;
}

/** Where a migration's new license request is made and read (the license-requests feature). */
export interface MigrationRequests extends LicenseRequestWriter {
  get(db: DbOrTx, id: number): Promise<LicenseRequest | undefined>;
}

/** Where the old key's worker-run terminate operation is made (the licenses feature's worker-run operations). */
export interface MigrationOperations {
  insert(
    tx: DbOrTx,
    input: {
      licenseId: number;
      kind: string;
      parameters: Record<string, unknown>;
      actor: Actor;
      cause: { type: string; id: number };
      now: number;
    },
  ): Promise<number>;
}

/** A subscription's auto-renew, off while a migration at renewal waits (the subscriptions feature). */
export interface MigrationAutoRenew {
  /** In the caller's transaction, audited; false when it already was so. */
  set(tx: DbOrTx, subscriptionId: number, on: boolean, actor: Actor): Promise<boolean>;
}

/** A KA configuration as a migration's target needs it. */
export interface MigrationTargets {
  get(db: DbOrTx, id: number): Promise<{ id: number; name: string; enabled: boolean } | undefined>;
}
