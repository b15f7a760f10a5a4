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

/** What a payment writes of a subscription: the subscription and its services, in its transaction. */
export interface SubscriptionWriter {
  /** Inserts the subscription; answers it as written. */
  insert(db: DbOrTx, input: NewSubscription): Promise<Subscription>;
  /** Inserts the services of a new subscription, `ready` those in `readyKeys` and the others `pending`; answers them as written. */
  insertServices(
    db: DbOrTx,
    subscriptionId: number,
    services: NewService[],
    now: number,
    readyKeys?: ReadonlySet<string>,
  ): Promise<SubscriptionService[]>;
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
