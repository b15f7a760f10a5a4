import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import { type PaidSubscriptionView, orderRoutes } from './order-routes.js';
import { OrderService, type OrderServiceDeps } from './order-service.js';
import type { OrderStore } from './order-store.js';

/** Orders and payment: the service (one transaction from paid order to license requests) and its routes. */
export function createOrdersFeature(
  deps: OrderServiceDeps & {
    db: Db;
    store: OrderStore;
    /** Shows the subscription a payment made (the read model, passed in by the root). */
    subscriptionView: PaidSubscriptionView;
  },
): { store: OrderStore; service: OrderService; routes: DeclaredRouter } {
  const service = new OrderService(deps);
  return {
    store: deps.store,
    service,
    routes: orderRoutes({ db: deps.db, orders: deps.store, service, subscriptionView: deps.subscriptionView }),
  };
}
