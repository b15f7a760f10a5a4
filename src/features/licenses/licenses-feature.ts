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
import { IdempotentReplies } from './idempotent-replies.js';
import { LicenseActionOnce } from './license-action-once.js';
import { LicenseLifecycle } from './license-lifecycle.js';
import { LicenseOperationStore } from './license-operation-store.js';
import { LicenseQueryService } from './license-query-service.js';
import { LicenseQueryStore } from './license-query-store.js';
import { licenseRoutes } from './license-routes.js';

/**
 * Wires the license lists and lifecycle actions; the console takes `service` and `lifecycle`,
 * the API `routes`, bulk jobs `actionOnce` (lifecycle actions under their own idempotency keys).
 */
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
}): {
  service: LicenseQueryService;
  lifecycle: LicenseLifecycle;
  actionOnce: LicenseActionOnce;
  routes: Router;
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
  const actionOnce = new LicenseActionOnce(
    lifecycle,
    new IdempotentReplies({
      db: deps.db,
      keys: idempotencyKeys,
      operations,
      currentReply: async (licenseId) => ({ status: 200, body: { licenseId } }),
    }),
  );
  return {
    service,
    lifecycle,
    actionOnce,
    routes: licenseRoutes({ db: deps.db, service, lifecycle, operations, idempotencyKeys }),
  };
}
