import type { Router } from 'express';
import type { AppRoutes } from './app.js';
import type { AppContext } from './app-context.js';
import { tokenRoutes } from './features/auth/token-routes.js';
import { auditRoutes } from './features/audit/audit-routes.js';
import { customerRoutes } from './features/customers/customer-routes.js';
import { licenseRequestRoutes } from './features/license-requests/license-request-routes.js';
import type { OrderService } from './features/orders/order-service.js';
import { orderRoutes } from './features/orders/order-routes.js';
import { planRoutes } from './features/plans/plan-routes.js';
import { subscriptionRoutes } from './features/subscriptions/subscription-routes.js';

export interface FeatureRouters {
  orderService: OrderService;
  /** Routers of features built beside the core (services, KA configurations, ...). */
  extraPublic?: Router[];
  extra?: Router[];
}

/** The JSON API of every feature, in one list for app.ts. */
export function apiRoutes(context: AppContext, features: FeatureRouters): AppRoutes {
  const { db, stores } = context;
  return {
    publicApi: features.extraPublic ?? [],
    api: [
      planRoutes({ db, plans: stores.plans, audit: stores.audit }),
      customerRoutes({ db, customers: stores.customers, audit: stores.audit }),
      orderRoutes({
        db,
        orders: stores.orders,
        service: features.orderService,
        subscriptionView: context.subscriptionView,
      }),
      subscriptionRoutes({
        db,
        subscriptions: stores.subscriptions,
        view: context.subscriptionView,
        orderPlacedBy: async (orderId) => (await stores.orders.get(db, orderId))?.placedByTokenId,
      }),
      licenseRequestRoutes({
        db,
        requests: stores.licenseRequests,
        audit: stores.audit,
        licenseOf: (requestId) => stores.licenses.getByRequest(db, requestId),
      }),
      auditRoutes({ db, audit: stores.audit }),
      tokenRoutes({ db, tokens: stores.tokens, audit: stores.audit }),
      ...(features.extra ?? []),
    ],
  };
}
