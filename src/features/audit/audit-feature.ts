import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import { auditRoutes } from './audit-routes.js';
import type { AuditStore } from './audit-store.js';

/** The audit log: its API routes over the store every feature writes its events through. */
export function createAuditFeature(deps: { db: Db; store: AuditStore }): { store: AuditStore; routes: DeclaredRouter } {
  return { store: deps.store, routes: auditRoutes({ db: deps.db, audit: deps.store }) };
}
