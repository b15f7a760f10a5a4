import type { OrderState } from '../../features/orders/order-store.js';
import type { Subscription } from '../../features/subscriptions/subscription.js';

/** The states the orders and subscriptions lists filter by. */
export const orderStates = ['placed', 'paid', 'cancelled'] as const satisfies readonly OrderState[];
export const subscriptionStates = ['provisioning', 'active'] as const satisfies readonly Subscription['state'][];
