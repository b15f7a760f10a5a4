import type { Router } from 'express';
import type { AuditStore } from '../audit/audit-store.js';
import type { LicenseRequestStore } from '../license-requests/license-request-store.js';
import type { LicenseStore } from './license-store.js';
import type { SubscriptionStore } from '../subscriptions/subscription-store.js';
import type { Db } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { KaConfigurationService } from '../ka-configurations/ka-configuration-service.js';
import type { TransitionEventWriter } from '../audit/transition.js';
import type { KaConfigurationStore } from '../ka-configurations/ka-configuration-store.js';
import { IdempotencyKeyStore } from './idempotency-key-store.js';
import { LicenseLifecycle } from './license-lifecycle.js';
import { LicenseOperationStore } from './license-operation-store.js';
import { LicenseQueryService } from './license-query-service.js';
import { LicenseQueryStore } from './license-query-store.js';
import { licenseRoutes } from './license-routes.js';
import { workedOperationRoutes } from './worked-operation-routes.js';
import { WorkedOperationService } from './worked-operation-service.js';
import { WorkedOperationStore } from './worked-operation-store.js';

/** Wires the license lists and lifecycle actions; the console takes `service` and `lifecycle`, the API `routes`. */
export function createLicensesFeature(deps: {
  db: Db;
  stores: {
    audit: AuditStore;
    licenses: LicenseStore;
    licenseRequests: LicenseRequestStore;
    subscriptions: SubscriptionStore;
  };
  configurations: KaConfigurationStore;
  configurationService: KaConfigurationService;
  queue: JobQueue;
  leaseMs: number;
  /** The outbox (`AppContext.events`). */
  events: TransitionEventWriter;
  /** The process's clock (`AppContext.clock`): worker-run operations are due, leased and retried by it. */
  now?: () => number;
}): {
  service: LicenseQueryService;
  lifecycle: LicenseLifecycle;
  /** Staff's retry and cancel of worker-run operations (a renewal's). */
  workedOperations: WorkedOperationService;
  /** The worker-run side of `license_operations`, for the engine that runs them. */
  workedOperationStore: WorkedOperationStore;
  routes: Router;
  workedOperationRoutes: Router;
} {
  const { stores } = deps;
  const operations = new LicenseOperationStore();
  const service = new LicenseQueryService({
    db: deps.db,
    queries: new LicenseQueryStore(),
    licenses: stores.licenses,
    requests: stores.licenseRequests,
    subscriptions: stores.subscriptions,
    configurations: deps.configurations,
    audit: stores.audit,
    operations,
  });
  const idempotencyKeys = new IdempotencyKeyStore();
  const lifecycle = new LicenseLifecycle({
    db: deps.db,
    licenses: stores.licenses,
    requests: stores.licenseRequests,
    configurations: deps.configurationService,
    audit: stores.audit,
    queue: deps.queue,
    events: deps.events,
    operations,
    idempotencyKeys,
    leaseMs: deps.leaseMs,
  });
  const workedOperationStore = new WorkedOperationStore(deps.now);
  const workedOperations = new WorkedOperationService({
    db: deps.db,
    operations: workedOperationStore,
    audit: stores.audit,
    events: deps.events,
    queue: deps.queue,
    now: deps.now,
  });
  return {
    service,
    lifecycle,
    workedOperations,
    workedOperationStore,
    workedOperationRoutes: workedOperationRoutes({ service: workedOperations }),
    routes: licenseRoutes({ db: deps.db, service, lifecycle, operations, idempotencyKeys }),
  };
}
