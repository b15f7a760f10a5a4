import type { DeclaredRouter } from '../../http/route-declaration.js';
import { renewalRoutes } from './renewal-routes.js';
import { RenewalService, type RenewalServiceDeps } from './renewal-service.js';
import { RenewalStore } from './renewal-store.js';

/** Renewals of subscriptions: renewal orders, what paying one does, and their routes. */
export function createRenewalsFeature(
  deps: Omit<RenewalServiceDeps, 'renewals'> & {
    placedBy(subscriptionId: number): Promise<{ storeId: number | null } | undefined>;
  },
): { service: RenewalService; routes: DeclaredRouter } {
  const service = new RenewalService({ ...deps, renewals: new RenewalStore() });
  return { service, routes: renewalRoutes({ service, placedBy: deps.placedBy }) };
}
