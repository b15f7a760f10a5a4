import type { Router } from 'express';
import type { Stores } from '../../app-context.js';
import type { Db } from '../../infra/db/database.js';
import type { KaConfigurationStore } from '../ka-configurations/ka-configuration-store.js';
import { LicenseQueryService } from './license-query-service.js';
import { LicenseQueryStore } from './license-query-store.js';
import { licenseRoutes } from './license-routes.js';

/** Wires the license lists; the console takes `service`, the API `routes`. */
export function createLicensesFeature(deps: { db: Db; stores: Stores; configurations: KaConfigurationStore }): { service: LicenseQueryService; routes: Router } {
  const { stores } = deps;
  const service = new LicenseQueryService({
    db: deps.db,
    queries: new LicenseQueryStore(),
    licenses: stores.licenses,
    requests: stores.licenseRequests,
    subscriptions: stores.subscriptions,
    configurations: deps.configurations,
    audit: stores.audit,
  });
  return { service, routes: licenseRoutes({ service }) };
}
