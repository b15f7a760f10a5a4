import type { DeclaredRouter } from '../../http/route-declaration.js';
import { quantityChangeRoutes } from './quantity-change-routes.js';
import { QuantityChangeService, type QuantityChangeServiceDeps } from './quantity-change-service.js';

/** Changes of a license's quantity: upgrade and downgrade orders, what paying one does, and their route. */
export function createQuantityChangesFeature(
  deps: QuantityChangeServiceDeps & {
    placedBy(subscriptionId: number): Promise<{ storeId: number | null; customerId: number } | undefined>;
  },
): { service: QuantityChangeService; routes: DeclaredRouter } {
  const service = new QuantityChangeService(deps);
  return { service, routes: quantityChangeRoutes({ service, placedBy: deps.placedBy }) };
}
