import type { DbOrTx } from '../../infra/db/database.js';
import type { Actor } from '../../kernel/actor.js';

/** What renewals ask of a subscription (the subscriptions feature answers; the root connects it). */
export interface RenewedSubscriptions {
  get(
    db: DbOrTx,
    id: number,
  ): Promise<
    | {
        id: number;
        orderId: number;
        customerId: number;
        planId: number;
        state: string;
        expiresAt: string;
        /** A pending cancel at the term's end: renewals wait until it is withdrawn. */
        cancelsAt?: string | null;
      }
    | undefined
  >;
  /** The term's end, the row locked for the rest of the transaction where the database can. */
  lockTerm(tx: DbOrTx, id: number): Promise<{ expiresAt: number; state: string; cancelAt?: number | null } | undefined>;
  /** Guarded by `from`: false when the term moved meanwhile. */
  extendTerm(tx: DbOrTx, id: number, from: number, to: number): Promise<boolean>;
}

/** The licenses a renewal renews (the licenses feature answers). */
export interface RenewedLicenses {
  listBySubscription(
    db: DbOrTx,
    subscriptionId: number,
  ): Promise<
    Array<{
      id: number;
      keyNumber: string;
      status: string;
      keyType: string | null;
      /** Additional keys: whether it renews with the subscription (else it has an expiry of its own). */
      renewsWithSubscription: boolean | null;
    }>
  >;
}

/** Where a renewal's per-license operations are made, for the workers to run (the licenses feature's worker-run operations). */
export interface RenewalOperations {
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

/**
 * Migrations waiting for a renewal (seed 003; the migrations feature answers, wired by the root):
 * in the payment's transaction, the licenses among `licenseIds` whose migration waits for this
 * renewal get the renewed term issued on the new server instead of a renewal of the old key.
 */
export interface RenewalMigrations {
  renewedOnNewServer(
    tx: DbOrTx,
    licenseIds: number[],
    renewal: { periodMonths: number; termEndsAt: number },
    actor: Actor,
  ): Promise<{ migrating: Set<number>; after(): Promise<void> }>;
}
