import type { LicenseDetails } from '../licenses/license-query-service.js';
import type { Db } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Logger } from '../../infra/log/logger.js';
import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { KaAdapter } from '../../plugin-sdk/ka-adapter.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { TransitionEventWriter } from '../audit/transition.js';
import type { KaConfigurationReader } from '../ka-configurations/ka-configuration-reader.js';
import type { KaConfigurationService } from '../ka-configurations/ka-configuration-service.js';
import type { StoredKaConfiguration } from '../ka-configurations/ka-configuration-reader.js';
import type { LicenseRequestPort } from '../license-requests/license-request-port.js';
import type { LicenseSyncPort } from '../licenses/license-sync-port.js';
import { licenseSyncRoutes } from './license-sync-routes.js';
import { LicenseSyncService } from './license-sync-service.js';
import { SyncPacer } from './sync-pacer.js';
import { DatabaseSlotLedger } from './sync-slot-ledger.js';
import { SyncResolution } from './sync-resolution.js';
import { SyncScheduler } from './sync-scheduler.js';

export interface LicenseSyncFeature {
  service: LicenseSyncService;
  resolution: SyncResolution;
  /** The scheduler's sync pass (workers). */
  scheduler: SyncScheduler;
  routes: DeclaredRouter;
}

/**
 * Sync of licenses with their KAs (issue 16): one license on demand (API, console), many by
 * bulk jobs (`sync`, `sync_accept_ka`), every license daily by the scheduler's pass. The
 * workers' reads are paced per configuration by slots they reserve in the database, so the
 * rate holds across processes.
 */
export function createLicenseSyncFeature(deps: {
  db: Db;
  licenses: LicenseSyncPort;
  requests: LicenseRequestPort;
  audit: AuditStore;
  events: TransitionEventWriter;
  configurations: KaConfigurationService;
  configurationReader: KaConfigurationReader;
  adapterOf(configuration: StoredKaConfiguration): KaAdapter;
  hasOpenOperation(licenseId: number): Promise<boolean>;
  licenseView(id: number): Promise<LicenseDetails>;
  queue: JobQueue;
  logger: Logger;
  now: () => number;
  /** `KEYWAY_SYNC_EVERY_HOURS` in ms. */
  everyMs: number;
  /** `KEYWAY_SCHEDULER_EVERY_MS`. */
  schedulerPeriodMs: number;
  leaseMs: number;
  /** Waits between paced reads (tests pass one that moves their clock). */
  sleep?: (ms: number) => Promise<void>;
}): LicenseSyncFeature {
  const service = new LicenseSyncService({
    db: deps.db,
    licenses: deps.licenses,
    requests: deps.requests,
    audit: deps.audit,
    events: deps.events,
    configurations: deps.configurations,
    adapterOf: deps.adapterOf,
    hasOpenOperation: deps.hasOpenOperation,
    pacer: new SyncPacer(new DatabaseSlotLedger(deps.db), deps.now, deps.sleep),
    now: deps.now,
    everyMs: deps.everyMs,
  });
  const resolution = new SyncResolution(service, deps.queue);
  return {
    service,
    resolution,
    scheduler: new SyncScheduler({
      db: deps.db,
      licenses: deps.licenses,
      requests: deps.requests,
      configurations: deps.configurationReader,
      service,
      logger: deps.logger,
      periodMs: deps.schedulerPeriodMs,
      leaseMs: deps.leaseMs,
    }),
    routes: licenseSyncRoutes({ service, resolution, licenseView: deps.licenseView }),
  };
}
