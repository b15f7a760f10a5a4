// A subscription as every layer sees it: higher features name it from here, not from the store that writes it.

export interface SubscriptionService {
  id: number;
  key: string;
  kind: string;
  provisioner: string;
  state: string;
  dependsOn: string[];
  lastError: Record<string, unknown> | null;
  readyAt: string | null;
}

export interface Subscription {
  id: number;
  orderId: number;
  customerId: number;
  planId: number;
  period: number;
  state: SubscriptionState;
  startsAt: string;
  expiresAt: string;
  /** Renewed automatically at the end of the term (default on, seed 001): the scheduler raises `subscription.renewal_due`. */
  autoRenew: boolean;
  createdAt: string;
  /** When a cancel asked for the term's end is due ("cancels on"); null: none pending. */
  cancelsAt: string | null;
  /** When it was cancelled (state `cancelled`). */
  cancelledAt: string | null;
}

export type SubscriptionState = 'provisioning' | 'active' | 'suspended' | 'cancelled';
