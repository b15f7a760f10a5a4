import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { LicenseRequestPort } from '../license-requests/license-request-port.js';
import type { LicensePort } from '../licenses/license-port.js';
import type { SubscriptionLookup } from '../subscriptions/subscription-port.js';
import type { Db } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { TransitionEventWriter } from '../audit/transition.js';
import type { KaConfigurationReader } from '../ka-configurations/ka-configuration-reader.js';
import { ManualLicenseService } from './manual-license-service.js';
import { manualLicenseRoutes } from './manual-license-routes.js';
import { type UploadLimits, uploadLimits } from './upload-options.js';

/** Wires the manual license feature; the console takes `service`, the API `routes`. */
export function createManualLicensesFeature(deps: {
  db: Db;
  queue: JobQueue;
  stores: {
    audit: AuditStore;
    /** Lower features' rows, through the ports they declare (the root hands their stores over). */
    licenses: LicensePort;
    licenseRequests: LicenseRequestPort;
    subscriptions: SubscriptionLookup;
  };
  configurations: KaConfigurationReader;
  /** The outbox (`AppContext.events`). */
  events: TransitionEventWriter;
  limits?: Partial<UploadLimits>;
}): {
  service: ManualLicenseService;
  limits: UploadLimits;
  routes: DeclaredRouter;
} {
  const limits = uploadLimits(deps.limits);
  const { stores } = deps;
  const service = new ManualLicenseService({
    db: deps.db,
    queue: deps.queue,
    requests: stores.licenseRequests,
    licenses: stores.licenses,
    subscriptions: stores.subscriptions,
    configurations: deps.configurations,
    audit: stores.audit,
    events: deps.events,
    limits,
  });
  return { service, limits, routes: manualLicenseRoutes({ service, limits }) };
}
