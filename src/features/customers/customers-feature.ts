import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import type { AuditStore } from '../audit/audit-store.js';
import { customerRoutes } from './customer-routes.js';
import type { CustomerStore } from './customer-store.js';

/** Customers: the store that owns the `customers` table and its API routes. */
export function createCustomersFeature(deps: { db: Db; store: CustomerStore; audit: AuditStore }): {
  store: CustomerStore;
  routes: DeclaredRouter;
} {
  return { store: deps.store, routes: customerRoutes({ db: deps.db, customers: deps.store, audit: deps.audit }) };
}
