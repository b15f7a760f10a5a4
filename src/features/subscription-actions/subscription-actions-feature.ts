import type { DeclaredRouter } from '../../http/route-declaration.js';
import { type SubscriptionActionRoutesDeps, subscriptionActionRoutes } from './subscription-action-routes.js';
import { SubscriptionActionService, type SubscriptionActionServiceDeps } from './subscription-action-service.js';
import { TermEndCancelSweep } from './term-end-cancel-sweep.js';

/** Cancel, suspend and resume of subscriptions: the service, its routes, and the term-end sweep the workers run. */
export function createSubscriptionActionsFeature(
  deps: SubscriptionActionServiceDeps & Omit<SubscriptionActionRoutesDeps, 'service'>,
): { service: SubscriptionActionService; routes: DeclaredRouter; sweep: TermEndCancelSweep } {
  const service = new SubscriptionActionService(deps);
  return {
    service,
    routes: subscriptionActionRoutes({ ...deps, service }),
    sweep: new TermEndCancelSweep(service),
  };
}
