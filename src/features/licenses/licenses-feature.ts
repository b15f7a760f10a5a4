import type { Router } from 'express';
import type { Stores } from '../../app-context.js';
import type { Db } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { KaConfigurationService } from '../ka-configurations/ka-configuration-service.js';
import type { KaConfigurationStore } from '../ka-configurations/ka-configuration-store.js';
import { LicenseLifecycle } from './license-lifecycle.js';
import { LicenseQueryService } from './license-query-service.js';
import { LicenseQueryStore } from './license-query-store.js';
import { licenseRoutes } from './license-routes.js';

/** Wires the license lists and lifecycle actions; the console takes `service` and `lifecycle`, the API `routes`. */
export function createLicensesFeature(deps: { db: Db; stores: Stores; configurations: KaConfigurationStore; configurationService: KaConfigurationService; queue: JobQueue }): { service: LicenseQueryService; lifecycle: LicenseLifecycle; routes: Router } {
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
  const lifecycle = new LicenseLifecycle({ db: deps.db, licenses: stores.licenses, requests: stores.licenseRequests, configurations: deps.configurationService, audit: stores.audit, queue: deps.queue });
  return { service, lifecycle, routes: licenseRoutes({ service, lifecycle }) };
}
