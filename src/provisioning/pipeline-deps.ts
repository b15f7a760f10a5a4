import type { PipelineConfig } from '../config/config.js';
import type { AuditStore } from '../features/audit/audit-store.js';
import type { TransitionEventWriter } from '../features/audit/transition.js';
import type { KaConfigurationService } from '../features/ka-configurations/ka-configuration-service.js';
import type { StoredKaConfiguration } from '../features/ka-configurations/ka-configuration-store.js';
import type { LicenseRequest } from '../features/license-requests/license-request.js';
import type { LicenseRequestStore } from '../features/license-requests/license-request-store.js';
import type { LicenseStore } from '../features/licenses/license-store.js';
import type { LicenseSummary } from '../features/licenses/license.js';
import type { Db, DbOrTx } from '../infra/db/database.js';
import type { Logger } from '../infra/log/logger.js';
import type { KeywayMetrics } from '../infra/metrics/metrics.js';
import type { InstallTarget, KaAdapter, LicenseFileContent, LicenseOrder } from '../plugin-sdk/ka-adapter.js';
import type { ServiceSettings } from './service-settings.js';

/** What every pipeline step works with. */
export interface PipelineDeps {
  db: Db;
  requests: LicenseRequestStore;
  licenses: LicenseStore;
  audit: AuditStore;
  /** The outbox, written with the transitions that have an event. */
  events: TransitionEventWriter;
  configurations: KaConfigurationService;
  policy: PipelineConfig;
  logger: Logger;
  now: () => number;
  /** Where the pipeline's own measures go (paid→installed); absent in tests that do not read them. */
  metrics?: KeywayMetrics;
  /**
   * The end of a subscription's term (epoch ms), the real expiry of a key the KA leases month
   * by month; absent (tests of the pipeline alone): a lease's term is its key's expiry.
   */
  termEndOf?(subscriptionId: number): Promise<number | null>;
  /**
   * In the install step's transaction, for a request of source `migration`: its new license is
   * installed, so what replaces the old key moves on (the migrations feature). Answers what to
   * run after the commit; a lost run is redone by the reconcilers.
   */
  onMigrationInstalled?(tx: DbOrTx, requestId: number, licenseId: number): Promise<(() => Promise<void>) | undefined>;
}

/**
 * What one job reads once and hands from step to step. It cannot go stale: the job holds the
 * request's lease, and every write it reflects was committed by this job.
 */
export interface JobMemo {
  configuration?: StoredKaConfiguration;
  service?: ServiceSettings;
  /** The license this job created with the key: it has no files yet. */
  newLicense?: LicenseSummary;
  /** Set once this job stored the files: the license and its files, for the install that follows. */
  retrieved?: { license: LicenseSummary; files: LicenseFileContent[] };
  /** The job's last transition also released its lease. */
  leaseReleased?: boolean;
}

/** One step's view of the request it works on. */
export interface StepInput {
  request: LicenseRequest;
  configuration: StoredKaConfiguration;
  adapter: KaAdapter;
  order: LicenseOrder;
  /** Where the install step delivers key and files; none: the license is attached only. */
  installTarget: InstallTarget | undefined;
  memo: JobMemo;
}

/**
 * What a step asks the pipeline to do next: run the request again now (it moved on, and this
 * is the request as the step left it), later (a retry is scheduled), or nothing (it is done or
 * waits for a person).
 */
export type StepResult =
  | { next: 'now'; request: LicenseRequest }
  | { next: 'later'; delayMs: number }
  | { next: 'none' };
