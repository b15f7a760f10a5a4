import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import type { SubscriptionReader } from './subscription-reader.js';
import { subscriptionRoutes } from './subscription-routes.js';
import type { SubscriptionStore } from './subscription-store.js';

/** Subscriptions: the store that owns `subscriptions` and `services` rows, and the read routes. */
export function createSubscriptionsFeature(deps: {
  db: Db;
  store: SubscriptionStore;
  view: SubscriptionReader;
  orderPlacedBy(orderId: number): Promise<number | null | undefined>;
}): { store: SubscriptionStore; routes: DeclaredRouter } {
  return {
    store: deps.store,
    routes: subscriptionRoutes({
      db: deps.db,
      subscriptions: deps.store,
      view: deps.view,
      orderPlacedBy: deps.orderPlacedBy,
    }),
  };
}
