import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { SubscriptionActivation } from '../subscriptions/subscription-port.js';
import { LicenseRequestRelease } from './license-request-release.js';
import { licenseRequestRoutes } from './license-request-routes.js';
import type { LicenseRequestStore } from './license-request-store.js';
import type { z } from 'zod';

export interface LicenseRequestsFeature {
  store: LicenseRequestStore;
  /** Releases a subscription's requests once its services are ready. */
  release: LicenseRequestRelease;
  routes: DeclaredRouter;
}

/**
 * License requests: store, release and read routes. `onReady` receives the ids of requests made
 * ready (the pipeline, wired by the root); `licenseOf` shows a request's license (licenses are above).
 */
export function createLicenseRequestsFeature(deps: {
  db: Db;
  store: LicenseRequestStore;
  /** Activates the subscription a release completes (the subscriptions feature's port). */
  subscriptions: SubscriptionActivation;
  audit: AuditStore;
  onReady(requestIds: number[]): Promise<void>;
  licenseOf(requestId: number): Promise<object | undefined>;
  /** The schema of what `licenseOf` answers, for the API document. */
  licenseSchema: z.ZodType;
}): LicenseRequestsFeature {
  return {
    store: deps.store,
    release: new LicenseRequestRelease(deps.db, deps.store, deps.subscriptions, deps.audit, deps.onReady),
    routes: licenseRequestRoutes({
      db: deps.db,
      requests: deps.store,
      audit: deps.audit,
      licenseOf: deps.licenseOf,
      licenseSchema: deps.licenseSchema,
    }),
  };
}
