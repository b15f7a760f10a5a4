import type { LicenseRequest } from '../license-requests/license-request.js';
import type { Subscription, SubscriptionService } from '../subscriptions/subscription.js';
import type { Order, OrderCustomer } from './order-store.js';

/** A subscription the payment just created. */
export interface CreatedSubscription {
  subscriptionId: number;
  /** Every service was ready at creation (all `instant`, or none): the license requests are ready too. */
  servicesReady: boolean;
  /** The license requests created `ready` (empty unless `servicesReady`). */
  readyRequestIds: number[];
}

/** What a payment wrote: the subscription with its services and license requests, as its commit left them. */
export interface WrittenSubscription {
  subscription: Subscription;
  services: SubscriptionService[];
  licenseRequests: LicenseRequest[];
}

/** A payment's outcome; `written` when this call created the subscription (its answer needs no read back). */
export interface PaymentResult {
  order: Order;
  subscriptionId: number;
  created: boolean;
  written?: WrittenSubscription;
}

/**
 * The snapshots a payment's two events carry (`order.paid`, `subscription.activated`), built
 * from what it wrote (the events feature's, passed in by the root): what a read in its
 * transaction would give, without the read.
 */
export interface PaymentSnapshots {
  of(paid: { order: Order; customer: OrderCustomer; written: WrittenSubscription }): {
    order: Record<string, unknown>;
    subscription: Record<string, unknown>;
  };
}
