import type { Db, DbOrTx } from '../../infra/db/database.js';
import type { SecretBox } from '../../infra/db/secret-box.js';
import type { AuditWriter } from '../audit/audit-store.js';
import type { LicenseSummary } from '../licenses/license.js';
import { MonthlyReportPass } from './monthly-report-pass.js';
import { UsageIngest } from './usage-ingest.js';
import { UsageRecorder, type UsageTerms } from './usage-recorder.js';
import { UsageReportStore } from './usage-report-store.js';
import { usageIngestRoutes, usageRoutes } from './usage-routes.js';
import { UsageStore } from './usage-store.js';
import { UsageView } from './usage-view.js';
import { type UsageKaFacts, UsageWatchPass } from './usage-watch-pass.js';

export interface UsageFeatureDeps {
  db: Db;
  audit: AuditWriter;
  secrets: SecretBox;
  now: () => number;
  /** The license holding a key in a configuration (licenses' port). */
  findLicense(configurationId: number, keyNumber: string): Promise<LicenseSummary | undefined>;
  licenseOf(id: number): Promise<LicenseSummary | undefined>;
  /** What the license's plan product says: SaaS, pack size. */
  termsOf(license: LicenseSummary): Promise<UsageTerms>;
  /** What the KA says now (the provisioning layer asks it through the configuration's adapter). */
  ka: UsageKaFacts;
  /** Whether a KA configuration exists (ka-configurations' reader): a push secret is for one that does. */
  configurationExists(id: number): Promise<boolean>;
  /** The KA expired a SaaS key: move the license's expiry, in the watch pass's transaction. */
  onExpired(tx: DbOrTx, licenseId: number, expiredAt: number): Promise<void>;
}

/** Usage (issue 17): records per license and day, the watch (overuse, missing reports), monthly reports. */
export function createUsageFeature(deps: UsageFeatureDeps) {
  const store = new UsageStore();
  const reports = new UsageReportStore();
  const recorder = new UsageRecorder({
    db: deps.db,
    store,
    findLicense: deps.findLicense,
    termsOf: deps.termsOf,
    now: deps.now,
  });
  const ingest = new UsageIngest({
    db: deps.db,
    store,
    recorder,
    secrets: deps.secrets,
    audit: deps.audit,
    configurationExists: deps.configurationExists,
    now: deps.now,
  });
  const view = new UsageView({ db: deps.db, store, now: deps.now, licenseOf: deps.licenseOf });
  const watchPass = new UsageWatchPass({
    db: deps.db,
    store,
    audit: deps.audit,
    ka: deps.ka,
    onExpired: deps.onExpired,
  });
  const reportPass = new MonthlyReportPass({ db: deps.db, reports, audit: deps.audit });
  return {
    store,
    reports,
    recorder,
    ingest,
    view,
    watchPass,
    reportPass,
    routes: usageRoutes({ db: deps.db, reports, view, ingest }),
    ingestRoutes: usageIngestRoutes({ ingest }),
  };
}

export type UsageFeature = ReturnType<typeof createUsageFeature>;
