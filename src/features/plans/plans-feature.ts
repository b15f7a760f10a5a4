import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import type { AuditStore } from '../audit/audit-store.js';
import { planRoutes } from './plan-routes.js';
import type { PlanStore } from './plan-store.js';

/**
 * Plans: the store that owns `plans` and the API routes. `existingConfigurations` answers which
 * of the given KA configuration ids exist (the KA configurations feature's, passed in by the root).
 */
export function createPlansFeature(deps: {
  db: Db;
  store: PlanStore;
  audit: AuditStore;
  existingConfigurations(ids: number[]): Promise<Set<number>>;
}): { store: PlanStore; routes: DeclaredRouter } {
  return {
    store: deps.store,
    routes: planRoutes({
      db: deps.db,
      plans: deps.store,
      audit: deps.audit,
      existingConfigurations: deps.existingConfigurations,
    }),
  };
}
