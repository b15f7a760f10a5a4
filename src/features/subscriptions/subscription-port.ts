import type { DbOrTx } from '../../infra/db/database.js';
import type { GuardedMove } from '../audit/transition.js';
import type { Subscription, SubscriptionService } from './subscription.js';

// What the features above may do with subscriptions. `SubscriptionStore` implements each port;
// the composition root hands it over, so no feature imports the store.

export interface NewService {
  key: string;
  kind: string;
  provisioner: string;
  settings: Record<string, unknown>;
  dependsOn: string[];
}

/** What payments write of subscriptions: the subscriptions and their services, in their transaction (one or many at once). */
export interface SubscriptionWriter {
  /** Inserts new subscriptions; answers them as written, in the inputs' order. */
  insertMany(db: DbOrTx, inputs: readonly NewSubscription[]): Promise<Subscription[]>;
  /**
   * Inserts the services of new subscriptions, `ready` those in each one's `readyKeys` and the
   * others `pending`; answers each subscription's services as written, in the inputs' order.
   */
  insertServicesOfMany(
    db: DbOrTx,
    subscriptions: ReadonlyArray<{ subscriptionId: number; services: NewService[]; readyKeys: ReadonlySet<string> }>,
    now: number,
  ): Promise<SubscriptionService[][]>;
}

export interface NewSubscription {
  orderId: number;
  customerId: number;
  planId: number;
  period: number;
  now: number;
  state: 'provisioning' | 'active';
}

/** Reads one subscription: what licenses and uploads show of it, and check a new license against. */
export interface SubscriptionLookup {
  get(db: DbOrTx, id: number): Promise<Subscription | undefined>;
}

/**
 * Activates a subscription once its services are ready: the guarded move
 * `provisioning → active`, which the license requests' release applies with its audit event in
 * its own transaction.
 */
export interface SubscriptionActivation {
  markActive(id: number): GuardedMove;
}
