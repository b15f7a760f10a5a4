import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, type Router } from 'express';
import type { Config } from '../config/config.js';
import type { AuthFeature } from '../features/auth/auth-feature.js';
import type { Db } from '../infra/db/database.js';
import type { Logger } from '../infra/log/logger.js';
import type { ConsoleReads } from './console-reads.js';
import type { KaConfigurationService } from '../features/ka-configurations/ka-configuration-service.js';
import type { KaConfigurationStore } from '../features/ka-configurations/ka-configuration-store.js';
import type { LicenseLifecycle } from '../features/licenses/license-lifecycle.js';
import type { LicenseSyncService } from '../features/license-sync/license-sync-service.js';
import type { SyncResolution } from '../features/license-sync/sync-resolution.js';
import type { AdditionalKeys } from '../features/licenses/additional-keys.js';
import type { Activations } from '../features/licenses/activations.js';
import type { LicenseQueryService } from '../features/licenses/license-query-service.js';
import type { ManualLicenseService } from '../features/uploads/manual-license-service.js';
import type { UploadLimits } from '../features/uploads/upload-options.js';
import type { KaPluginDefinition } from '../plugin-sdk/plugin-definition.js';
import type { BulkJobsFeature } from '../features/bulk-jobs/bulk-jobs-feature.js';
import { adminWebRoutes } from './routes/admin-web-routes.js';
import { jobsWebRoutes } from './routes/jobs-web-routes.js';
import type { JobQueue } from '../infra/queue/job-queue.js';
import { authWebRoutes } from './routes/auth-web-routes.js';
import { bulkJobWebRoutes } from './routes/bulk-job-web-routes.js';
import { migrateWebRoutes } from './routes/migrate-web-routes.js';
import type { MigrationBulkJobs } from '../features/migrations/migration-routes.js';
import type { MigrationService } from '../features/migrations/migration-service.js';
import { auditWebRoutes } from './routes/audit-web-routes.js';
import { eventsWebRoutes } from './routes/events-web-routes.js';
import { customerWebRoutes } from './routes/customer-web-routes.js';
import { homeWebRoutes } from './routes/home-web-routes.js';
import { searchWebRoutes } from './routes/search-web-routes.js';
import { usageWebRoutes } from './routes/usage-web-routes.js';
import type { UsageFeature } from '../features/usage/usage-feature.js';
import type { MailFeature } from '../features/mail/mail-feature.js';
import type { WebhooksFeature } from '../features/webhooks/webhooks-feature.js';
import { kaConfigurationWebRoutes } from './routes/ka-configuration-web-routes.js';
import { licenseRequestWebRoutes } from './routes/license-request-web-routes.js';
import { licenseWebRoutes } from './routes/license-web-routes.js';
import type { LicenseTransferService } from '../features/licenses/license-transfer-service.js';
import { type OrderWebActions, orderWebRoutes } from './routes/order-web-routes.js';
import { subscriptionWebRoutes } from './routes/subscription-web-routes.js';
import type { AutoRenewService } from '../features/subscriptions/auto-renew-service.js';
import { subscriptionActionWebRoutes } from './routes/subscription-action-web-routes.js';
import type { SubscriptionActionService } from '../features/subscription-actions/subscription-action-service.js';
import { csrfForUnsafeMethods } from './session/csrf.js';
import { ensureFirstStaffAdmin } from '../features/auth/first-staff-admin.js';
import { loadSession, requireSignIn } from './session/session-middleware.js';
import { webErrorHandler, webNotFound } from './web-error-handler.js';

const staticDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');

/** What the console uses: the feature services it calls and what its pages read, from the composition root. */
export interface WebConsoleDeps {
  config: Config;
  logger: Logger;
  db: Db;
  /** Staff users, sessions and the sign-in limiter. */
  auth: Pick<AuthFeature, 'users' | 'sessions' | 'limiter' | 'tokens' | 'staffAdmin'>;
  /** What the read-only pages read. */
  reads: ConsoleReads;
  /** The job queue and the names of its queues, for the admins' Jobs page (absent: no page). */
  jobs?: { queue: JobQueue; names: readonly string[] };
  /** Where one-time messages go (the generated demo admin password). */
  print: (line: string) => void;
  configurations: KaConfigurationService;
  configurationStore: KaConfigurationStore;
  plugins: { list(): KaPluginDefinition[] };
  /** Manual license work and New License (the same service as the API's). */
  manualLicenses: { service: ManualLicenseService; limits: UploadLimits };
  /** License tabs, lists, details, downloads and CSV. */
  licenses: LicenseQueryService;
  lifecycle: LicenseLifecycle;
  /** Sync of licenses with their KAs (absent in tests that build the console without it). */
  licenseSync?: { service: LicenseSyncService; resolution: SyncResolution };
  /** Additional keys and farms of licenses (absent in tests that build the console without them: no sections). */
  keys?: { additionalKeys: AdditionalKeys; activations: Activations };
  /** Transfer of a license to another customer or subscription (absent: no form). */
  transfer?: LicenseTransferService;
  /** Auto-renew of subscriptions (absent in tests that build the console without it). */
  subscriptions?: { autoRenew: AutoRenewService };
  /** Paying orders, renewing subscriptions and retrying their renewals (absent: the pages are read-only). */
  orderActions?: OrderWebActions;
  /** Bulk jobs (absent in tests that build the console without them): their pages and the licenses list's bulk form. */
  bulkJobs?: Pick<BulkJobsFeature, 'service' | 'actions'>;
  /** Migration of a tab's licenses to another KA configuration (absent: no "Migrate…" form). */
  migrations?: { service: MigrationService; bulk: MigrationBulkJobs };
  /** Cancel, suspend and resume of subscriptions (absent in tests that build the console without them). */
  subscriptionActions?: SubscriptionActionService;
  /** Webhooks and mail (absent in tests that build the console without them). */
  events?: { mail: MailFeature; webhooks: WebhooksFeature };
  /** Usage per configuration and customer, and the monthly reports (absent: no usage pages). */
  usage?: { feature: Pick<UsageFeature, 'view' | 'reports'>; now: () => number };
}

/** Strict headers for every console answer: no inline script, no framing, no caching of pages. */
const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader(
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  );
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'same-origin');
  res.setHeader('x-frame-options', 'DENY');
  next();
};

const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('cache-control', 'no-store');
  next();
};

/**
 * The staff console, mounted at `/`: creates the first admin when configured to, then answers
 * the router. Pages call feature services directly, never the HTTP API.
 */
export async function createWebConsole(deps: WebConsoleDeps): Promise<Router> {
  const { db, config } = deps;
  const { stores } = deps.reads;
  const { users, sessions } = deps.auth;
  const outcome = await ensureFirstStaffAdmin(db, users, stores.audit, {
    email: config.adminEmail,
    password: config.adminPassword,
  });
  if (outcome === 'created') deps.logger.info({ email: config.adminEmail }, 'first staff admin created');
  if (outcome === 'not_configured') {
    // Any first start must leave a way in: a generated admin, printed once and never logged
    // (the database keeps only its hash), unless one was configured or made by `npm run setup`.
    const firstAdmin = { email: 'admin@example.com', password: randomBytes(12).toString('base64url') };
    if ((await ensureFirstStaffAdmin(db, users, stores.audit, firstAdmin)) === 'created') {
      deps.print(
        `Staff console admin (shown this once, never logged or shown again): ${firstAdmin.email} / ${firstAdmin.password}`,
      );
    }
  }
  await sessions.deleteExpired(db);

  const router = express.Router();
  router.use(securityHeaders);
  router.use('/assets', express.static(staticDir, { maxAge: '1h', fallthrough: false, index: false }));
  router.get('/favicon.ico', (_req, res) => res.redirect(301, '/assets/favicon.svg'));
  router.use(noStore);
  router.use(loadSession(db, sessions));
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));
  router.use(authWebRoutes({ db, users, sessions, limiter: deps.auth.limiter, audit: stores.audit }));

  const requests = licenseRequestWebRoutes({
    context: deps.reads,
    manual: deps.manualLicenses.service,
    limits: deps.manualLicenses.limits,
  });
  const licenses = licenseWebRoutes({
    context: deps.reads,
    licenses: deps.licenses,
    lifecycle: deps.lifecycle,
    keys: deps.keys,
    manual: deps.manualLicenses.service,
    configurations: deps.configurationStore,
    limits: deps.manualLicenses.limits,
    sync: deps.licenseSync,
    // An action taking parameters (migrate) has its own form.
    bulkActions: deps.bulkJobs?.actions.list().filter((a) => a.appliesTo === 'license' && !a.parameters) ?? [],
    transfer: deps.transfer,
    migrate: deps.migrations !== undefined,
  });
  const pages = express.Router();
  pages.use(requireSignIn);
  // Multipart uploads check their token after parsing; every other unsafe request here and now.
  pages.use(requests.uploads, licenses.uploads);
  pages.use(csrfForUnsafeMethods);
  pages.use(homeWebRoutes({ db }), searchWebRoutes({ db }));
  // Before the licenses' pages: `/licenses/migrate` is not a license id.
  if (deps.migrations)
    pages.use(
      migrateWebRoutes({
        db,
        configurations: deps.configurationStore,
        service: deps.migrations.service,
        bulk: deps.migrations.bulk,
      }),
    );
  pages.use(requests.pages, licenses.pages);
  pages.use(
    kaConfigurationWebRoutes({
      db,
      service: deps.configurations,
      store: deps.configurationStore,
      plugins: deps.plugins,
    }),
  );
  pages.use(
    orderWebRoutes({ context: deps.reads, actions: deps.orderActions }),
    customerWebRoutes({ context: deps.reads }),
  );
  if (deps.subscriptions) pages.use(subscriptionWebRoutes({ autoRenew: deps.subscriptions.autoRenew }));
  if (deps.bulkJobs) pages.use(bulkJobWebRoutes({ service: deps.bulkJobs.service }));
  if (deps.subscriptionActions) pages.use(subscriptionActionWebRoutes({ service: deps.subscriptionActions }));
  if (deps.events) pages.use(eventsWebRoutes({ db, events: deps.events }));
  if (deps.usage) pages.use(usageWebRoutes({ db, usage: deps.usage.feature, now: deps.usage.now }));
  pages.use(auditWebRoutes({ db, audit: stores.audit }));
  pages.use(adminWebRoutes({ db, auth: deps.auth }));
  if (deps.jobs)
    pages.use(jobsWebRoutes({ db, queue: deps.jobs.queue, jobNames: deps.jobs.names, audit: stores.audit }));
  router.use(pages);

  router.use(webNotFound);
  router.use(webErrorHandler);
  return router;
}
