import type { Customer } from '../features/customers/customer.js';
import type { CustomerStore } from '../features/customers/customer-store.js';
import type { Order, OrderStore } from '../features/orders/order-store.js';
import type { Subscription } from '../features/subscriptions/subscription.js';
import type { SubscriptionStore } from '../features/subscriptions/subscription-store.js';
import type { DbOrTx } from '../infra/db/database.js';
import { toIso } from '../infra/db/rows.js';

/** A customer's license as the customer page lists it. */
export interface CustomerLicense {
  id: number;
  keyNumber: string;
  product: string;
  status: string;
  configurationId: number;
  subscriptionId: number | null;
  expiresAt: string | null;
}

export interface CustomerOverview {
  customer: Customer;
  subscriptions: Subscription[];
  orders: Order[];
  licenses: CustomerLicense[];
  /** Each list shows the newest this many; more means the list was cut. */
  limit: number;
}

const limit = 100;

/** A customer with their newest subscriptions, orders and licenses, over the customer_id indexes. */
export async function customerOverview(
  db: DbOrTx,
  stores: { customers: CustomerStore; orders: OrderStore; subscriptions: SubscriptionStore },
  id: number,
): Promise<CustomerOverview | undefined> {
  const customer = await stores.customers.get(db, id);
  if (!customer) return undefined;
  const [subscriptions, orders, licenses] = await Promise.all([
    stores.subscriptions.list(db, { customerId: id, limit }),
    stores.orders.list(db, { customerId: id, limit }),
    db('licenses')
      .select('id', 'key_number', 'product', 'status', 'configuration_id', 'subscription_id', 'expires_at')
      .where('customer_id', id)
      .orderBy('id', 'desc')
      .limit(limit),
  ]);
  return {
    customer,
    subscriptions,
    orders,
    licenses: licenses.map((r) => ({
      id: Number(r.id),
      keyNumber: String(r.key_number),
      product: String(r.product),
      status: String(r.status),
      configurationId: Number(r.configuration_id),
      subscriptionId: r.subscription_id === null ? null : Number(r.subscription_id),
      expiresAt: toIso(r.expires_at),
    })),
    limit,
  };
}
