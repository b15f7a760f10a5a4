import type { RequestHandler, Router } from 'express';
import type { DeclaredRouter } from './http/route-declaration.js';
import type { AppContext } from './app-context.js';
import { openSecretBox } from './bootstrap/secret-key.js';
import { createAuditFeature } from './features/audit/audit-feature.js';
import { AuditStore } from './features/audit/audit-store.js';
import { type AuthFeature, createAuthFeature } from './features/auth/auth-feature.js';
import { TokenStore } from './features/auth/token-store.js';
import { CustomerStore } from './features/customers/customer-store.js';
import { createCustomersFeature } from './features/customers/customers-feature.js';
import { KaConfigurationStore } from './features/ka-configurations/ka-configuration-store.js';
import {
  createKaConfigurationsFeature,
  type KaConfigurationsFeature,
} from './features/ka-configurations/ka-configurations-feature.js';
import { LicenseRequestStore } from './features/license-requests/license-request-store.js';
import { createLicenseRequestsFeature } from './features/license-requests/license-requests-feature.js';
import { LicenseStore } from './features/licenses/license-store.js';
import { createLicensesFeature } from './features/licenses/licenses-feature.js';
import { KnexOrderStore, type OrderStore } from './features/orders/order-store.js';
import { createOrdersFeature } from './features/orders/orders-feature.js';
import { PlanStore } from './features/plans/plan-store.js';
import { createPlansFeature } from './features/plans/plans-feature.js';
import { registerServiceJobs } from './features/services/service-jobs.js';
import { createServicesFeature, type ServicesFeature } from './features/services/services-feature.js';
import { SubscriptionStore } from './features/subscriptions/subscription-store.js';
import { createSubscriptionsFeature } from './features/subscriptions/subscriptions-feature.js';
import { createManualLicensesFeature } from './features/uploads/manual-licenses-feature.js';
import { type BulkJobsFeature, createBulkJobsFeature } from './features/bulk-jobs/bulk-jobs-feature.js';
import { bulkActions, bulkSelectionSources } from './bulk-actions.js';
import { composeEventsOut, type EventsOut } from './events-out.js';
import { paymentSnapshots } from './features/events/event-snapshots.js';
import { outboxEventWriter } from './features/events/record-event.js';
import type { Registry } from './infra/metrics/metrics-registry.js';
import type { SecretBox } from './infra/db/secret-box.js';
import { startPluginHost } from './plugin-host/plugin-host.js';
import type { PluginRegistry } from './plugin-host/plugin-registry.js';
import { pluginStatuses } from './plugin-host/plugin-sync.js';
import { systemActor } from './kernel/actor.js';
import { keywayJobNames } from './observability.js';
import type { Reconcilable } from './provisioning/reconcile-loop.js';
import type { ScheduledPass } from './provisioning/scheduler-loop.js';
import { createPipeline, registerPipelineJobs } from './provisioning/register-pipeline.js';
import { createOperationWork, registerOperationJobs } from './provisioning/operations/register-operations.js';
import { RenewOperation } from './provisioning/operations/renew-operation.js';
import { StatusOperation } from './provisioning/operations/status-operation.js';
import { createSubscriptionActionsFeature } from './features/subscription-actions/subscription-actions-feature.js';
import { actionCauses } from './features/subscription-actions/subscription-action-service.js';
import { ChangeQuantityOperation } from './provisioning/operations/change-quantity-operation.js';
import { createQuantityChangesFeature } from './features/quantity-changes/quantity-changes-feature.js';
import { FileRefreshSweep } from './provisioning/file-refresh.js';
import { createLicenseSyncFeature, type LicenseSyncFeature } from './features/license-sync/license-sync-feature.js';
import { createRenewalsFeature } from './features/renewals/renewals-feature.js';
import type { RenewalService } from './features/renewals/renewal-service.js';
import type { RenewalPayment } from './features/orders/renewal-payment.js';
import { SubscriptionView } from './read-models/subscription-view.js';
import { usageTermsOf } from './read-models/usage-terms.js';
import { createUsageFeature, type UsageFeature } from './features/usage/usage-feature.js';
import { UsagePullPass, usageKaFacts } from './provisioning/usage-pull.js';
import { bulkJobSchema } from './features/bulk-jobs/bulk-job-schema.js';
import { createMigrationsFeature } from './features/migrations/migrations-feature.js';
import type { MigrationBulkJobs } from './features/migrations/migration-routes.js';
import type { MigrationService } from './features/migrations/migration-service.js';
import { createWebConsole } from './web/web-console.js';
import { licenseSchema } from './features/licenses/license-schema.js';

/** One store per table owner; stateless, shared by the features that own them and the read models. */
export interface Stores {
  audit: AuditStore;
  tokens: TokenStore;
  customers: CustomerStore;
  plans: PlanStore;
  kaConfigurations: KaConfigurationStore;
  orders: OrderStore;
  subscriptions: SubscriptionStore;
  licenseRequests: LicenseRequestStore;
  licenses: LicenseStore;
}

/**
 * `firstSyncAfterMs`: a new license's first scheduled sync (`KEYWAY_SYNC_EVERY_HOURS`);
 * `tokenCacheMs`: how long a verified API token is trusted (`KEYWAY_TOKEN_CACHE_SECONDS`).
 */
export function createStores(options: { firstSyncAfterMs?: number; tokenCacheMs?: number } = {}): Stores {
  return {
    audit: new AuditStore(),
    tokens: new TokenStore({ cacheMs: options.tokenCacheMs ?? 0 }),
    customers: new CustomerStore(),
    plans: new PlanStore(),
    kaConfigurations: new KaConfigurationStore(),
    orders: new KnexOrderStore(),
    subscriptions: new SubscriptionStore(),
    licenseRequests: new LicenseRequestStore(),
    licenses: new LicenseStore(Date.now, options),
  };
}

/** Keyway's parts, built in dependency order; `server.ts` runs them in the process's role. */
export interface Composition {
  stores: Stores;
  /** Seals and opens the secrets stored in the database (KA passwords, installation secrets). */
  secrets: SecretBox;
  plugins: PluginRegistry;
  configurations: KaConfigurationsFeature;
  services: ServicesFeature;
  auth: AuthFeature;
  /** One action over many licenses or requests, run by the workers. */
  bulkJobs: BulkJobsFeature;
  /** Events out: the outbox's reader, webhooks and mail. */
  events: EventsOut;
  /** Sync of licenses with their KAs. */
  licenseSync: LicenseSyncFeature;
  /** Renewal orders of subscriptions (`request`, `renewAndPay`, `listOf`). */
  renewals: RenewalService;
  /** Metrics of this process (prom-client), for `/metrics`. */
  metrics: Registry;
  /** Usage per license and day, its watch and monthly reports (the bench and the console read it). */
  usage: UsageFeature;
  /** The JSON API: signed callbacks before authentication, every feature's routes behind it. */
  api: { publicApi: DeclaredRouter[]; authenticate: RequestHandler; api: DeclaredRouter[] };
  /** Worker role: registers every job handler. */
  registerJobs(): void;
  /** What the reconcile loop runs, in order (services first: licenses are released when the last is ready). */
  reconcileEngines: Reconcilable[];
  /** What the scheduler runs each period in workers, in order: renewals due, usage pull and watch, license phases, monthly usage reports. */
  scheduledPasses: ScheduledPass[];
  /** The staff console over the same services (role api or all). */
  createWeb(print: (line: string) => void): Promise<Router>;
  /** Closes what the parts hold open (KA adapters). */
  close(): Promise<void>;
}

/**
 * The one wiring root: builds every feature with what it depends on, lowest first (audit, auth,
 * customers, KA configurations, plans; then subscriptions, services, license requests, the
 * pipeline, orders, licenses, uploads; then the read models and the console), and connects the
 * ports a lower feature declares to the higher one that answers them. Nothing below imports it.
 */
export async function composeKeyway(
  context: AppContext,
  options: { serves: boolean; publicBaseUrl: () => string },
): Promise<Composition> {
  const { config, logger, db, queue, clock } = context;
  const stores = createStores({ firstSyncAfterMs: config.scheduler.syncEveryMs, tokenCacheMs: config.tokenCacheMs });
  const secrets = openSecretBox(config, { create: true }) as SecretBox;
  const plugins = await startPluginHost(config.pluginsDir, db, logger, { sync: options.serves });

  const audit = createAuditFeature({ db, store: stores.audit });
  // Transitions write their events here, in their own transaction; the feature delivers them.
  const eventWriter = outboxEventWriter;
  // One registry per process: the events' metrics are served with the rest at /metrics.
  const metrics = context.metrics.registry;
  const events = composeEventsOut({
    db,
    config: config.events,
    demo: config.demo,
    secrets,
    audit: stores.audit,
    logger,
    metrics,
    consoleUrl: options.publicBaseUrl,
  });
  const auth = createAuthFeature({
    db,
    tokens: stores.tokens,
    audit: stores.audit,
    customerExists: async (id) => (await stores.customers.get(db, id)) !== undefined,
  });
  const customers = createCustomersFeature({ db, store: stores.customers, audit: stores.audit });
  const configurations = createKaConfigurationsFeature({
    db,
    store: stores.kaConfigurations,
    audit: stores.audit,
    plugins,
    pluginStatuses: () => pluginStatuses(db),
    queue,
    logger,
    secrets,
  });
  const plans = createPlansFeature({
    db,
    store: stores.plans,
    audit: stores.audit,
    existingConfigurations: (ids) => stores.kaConfigurations.existingIds(db, ids),
  });

  const phaseRules = { warningDays: config.scheduler.expiryWarningDays };
  const view = new SubscriptionView(db, stores.subscriptions, stores.licenseRequests, stores.licenses, {
    now: clock,
    rules: phaseRules,
  });
  // Migrations sit above licenses and below bulk jobs; the pipeline, the licenses' page and the
  // terminate operations reach them through callbacks bound once they are composed.
  let migrationService: MigrationService | undefined;
  let bulkJobsLater: BulkJobsFeature | undefined;
  // Renewal orders are composed after the features that call them (subscriptions' scheduler, orders' payment).
  let renewalPayment: RenewalPayment | undefined;
  let changePayment: RenewalPayment | undefined;
  let renewalService: RenewalService | undefined;
  const subscriptions = createSubscriptionsFeature({
    db,
    store: stores.subscriptions,
    view,
    orderPlacedBy: async (orderId) => (await stores.orders.get(db, orderId))?.placedByTokenId,
    audit: stores.audit,
    logger: logger.child({ component: 'scheduler' }),
    renewals: {
      noticeDays: config.scheduler.renewalNoticeDays,
      payment: config.scheduler.autoRenewPayment,
      // `KEYWAY_AUTORENEW_PAYMENT=assume`: Keyway places and pays the renewal order itself, under the
      // scheduler's reference (one per term), so a pass repeated after a crash pays nothing twice.
      renewAndPay: async (subscriptionId, periodMonths, reference) => {
        if (!renewalService) throw new Error('renewal orders are not composed yet');
        await renewalService.renewAndPay(
          subscriptionId,
          { period: periodMonths, reference, paymentReference: reference },
          systemActor,
        );
      },
    },
  });
  const pipeline = createPipeline({
    config,
    logger,
    db,
    queue,
    clock,
    stores,
    configurations: configurations.service,
    metrics: context.metrics,
    events: eventWriter,
    termEndOf: async (subscriptionId) => {
      const subscription = await stores.subscriptions.get(db, subscriptionId);
      return subscription ? Date.parse(subscription.expiresAt) : null;
    },
    termEndsOf: (subscriptionIds) => stores.subscriptions.expiriesOf(db, subscriptionIds),
    // A migration's new license installed: the migrations feature, composed below, moves it on.
    onMigrationInstalled: (tx, requestId, licenseId) => {
      if (!migrationService) throw new Error('migrations are not composed yet');
      return migrationService.requestInstalled(tx, requestId, licenseId);
    },
  });
  // Requests released by the services feature (or made ready at payment) start at once.
  const startRequests = (ids: number[]) => pipeline.start(ids);
  const licenseRequests = createLicenseRequestsFeature({
    db,
    store: stores.licenseRequests,
    subscriptions: stores.subscriptions,
    audit: stores.audit,
    onReady: startRequests,
    licenseOf: (requestId) => stores.licenses.getByRequest(db, requestId),
    licenseSchema,
  });
  const services = createServicesFeature({
    db,
    queue,
    audit: stores.audit,
    secrets,
    logger: logger.child({ component: 'services' }),
    publicBaseUrl: options.publicBaseUrl,
    onAllServicesReady: async (subscriptionId) => {
      await licenseRequests.release.releaseSubscription(subscriptionId);
    },
    retry: {
      maxAttempts: config.pipeline.maxAttempts,
      initialDelayMs: config.pipeline.initialDelayMs,
      maxDelayMs: config.pipeline.maxDelayMs,
    },
  });
  // Renewals sit above orders: paying a renewal order reaches them through this port, bound below.
  const orders = createOrdersFeature({
    db,
    store: stores.orders,
    orders: stores.orders,
    plans: stores.plans,
    customers: stores.customers,
    subscriptions: stores.subscriptions,
    licenseRequests: stores.licenseRequests,
    audit: stores.audit,
    events: eventWriter,
    // The payment's events carry snapshots built from what it wrote, in the outbox's shapes.
    paymentSnapshots,
    subscriptionView: view,
    renewals: {
      paid: (tx, order, now, actor) => {
        if (!renewalPayment) throw new Error('renewals are not wired yet');
        return renewalPayment.paid(tx, order, now, actor);
      },
    },
    changes: {
      paid: (tx, order, now, actor) => {
        if (!changePayment) throw new Error('quantity changes are not wired yet');
        return changePayment.paid(tx, order, now, actor);
      },
    },
    // After the payment committed: services to provision first, or, when all were ready at
    // creation, the license requests straight to the pipeline. A failure here must not fail the
    // payment: the reconcilers start the services or the requests on their next round.
    onSubscriptionCreated: async ({ subscriptionId, servicesReady, readyRequestIds }) => {
      try {
        if (servicesReady) await startRequests(readyRequestIds);
        else await services.service.start(subscriptionId);
      } catch (err) {
        logger.warn({ err, subscriptionId }, 'starting a paid subscription failed; the reconcilers will');
      }
    },
  });
  const licenses = createLicensesFeature({
    db,
    stores,
    configurations: stores.kaConfigurations,
    configurationService: configurations.service,
    queue,
    leaseMs: config.pipeline.leaseMs,
    events: eventWriter,
    clock,
    phaseRules,
    now: clock,
    migrationsOf: async (licenseId) => ((await migrationService?.ofLicense(licenseId)) ?? []) as never,
  });
  // Worker-run license operations (a renewal's, one per license; a quantity change's): the engine and the kinds it runs.
  const operationDeps = {
    licenses: stores.licenses,
    requests: stores.licenseRequests,
    audit: stores.audit,
    events: eventWriter,
    queue,
    now: clock,
  };
  const operationWork = createOperationWork({
    config,
    logger,
    db,
    queue,
    clock,
    operations: licenses.workedOperationStore,
    licenses: stores.licenses,
    audit: stores.audit,
    events: eventWriter,
    configurations: configurations.service,
    adapters: pipeline.adapters,
    kinds: [
      new RenewOperation(operationDeps),
      new ChangeQuantityOperation(operationDeps),
      // A subscription's cancel, suspend and resume, one license each.
      ...(['terminate', 'suspend', 'resume'] as const).map(
        (action) =>
          new StatusOperation(action, {
            licenses: stores.licenses,
            audit: stores.audit,
            events: eventWriter,
            // A migration's terminate of the old key closes the migration in the same transaction.
            onApplied: (tx, operation) => migrationService?.operationApplied(tx, operation) ?? Promise.resolve(),
          }),
      ),
    ],
  });
  const renewals = createRenewalsFeature({
    db,
    subscriptions: stores.subscriptions,
    licenses: stores.licenses,
    operations: licenses.workedOperationStore,
    operationViews: licenses.workedOperations,
    orders: orders.service,
    events: eventWriter,
    queue,
    // Migrations at renewal (seed 003): the renewal is issued on the new server instead.
    migrations: {
      renewedOnNewServer: (tx, licenseIds, renewal, actor) => {
        if (!migrationService) throw new Error('migrations are not composed yet');
        return migrationService.renewedOnNewServer(tx, licenseIds, renewal, actor);
      },
    },
    placedBy: async (subscriptionId) => {
      const subscription = await stores.subscriptions.get(db, subscriptionId);
      const order = subscription && (await stores.orders.get(db, subscription.orderId));
      return order ? { storeId: order.placedByTokenId } : undefined;
    },
  });
  renewalPayment = renewals.service;
  const placedBy = async (subscriptionId: number) => {
    const subscription = await stores.subscriptions.get(db, subscriptionId);
    const order = subscription && (await stores.orders.get(db, subscription.orderId));
    return order ? { storeId: order.placedByTokenId, customerId: order.customerId } : undefined;
  };
  const quantityChanges = createQuantityChangesFeature({
    db,
    subscriptions: stores.subscriptions,
    licenses: stores.licenses,
    plans: stores.plans,
    operations: licenses.workedOperationStore,
    operationViews: licenses.workedOperations,
    orders: orders.service,
    capabilitiesOf: async (configurationId) =>
      configurations.service.capabilities(await configurations.service.get(configurationId)),
    queue,
    placedBy,
  });
  changePayment = quantityChanges.service;
  renewalService = renewals.service;
  const subscriptionActions = createSubscriptionActionsFeature({
    db,
    subscriptions: stores.subscriptions,
    licenses: stores.licenses,
    operations: licenses.workedOperationStore,
    audit: stores.audit,
    events: eventWriter,
    queue,
    now: clock,
    placedBy: async (subscriptionId) => {
      const subscription = await stores.subscriptions.get(db, subscriptionId);
      const order = subscription && (await stores.orders.get(db, subscription.orderId));
      return order ? { storeId: order.placedByTokenId } : undefined;
    },
    view: (subscriptionId) => view.get(subscriptionId),
    viewSchema: view.schema,
    operationsOf: async (subscriptionId) =>
      (
        await Promise.all(
          Object.values(actionCauses).map((cause) => licenses.workedOperations.ofCause(cause, [subscriptionId])),
        )
      )
        .flat()
        .sort((a, b) => b.id - a.id),
  });
  // New key-file revisions (a lease the KA renewed, an update date passed), looked for by the reconcile loop.
  const fileRefresh = new FileRefreshSweep({
    db,
    licenses: stores.licenses,
    requests: stores.licenseRequests,
    audit: stores.audit,
    events: eventWriter,
    configurations: configurations.service,
    adapters: pipeline.adapters,
    queue,
    logger: logger.child({ component: 'file-refresh' }),
    now: clock,
    leaseMs: config.pipeline.leaseMs,
    recheckMs: config.pipeline.maxDelayMs,
  });
  const manualLicenses = createManualLicensesFeature({
    db,
    queue,
    stores,
    configurations: stores.kaConfigurations,
    events: eventWriter,
  });
  // Sync of licenses with their KAs: on demand, by bulk jobs, and daily by the scheduler.
  const licenseSync = createLicenseSyncFeature({
    db,
    licenses: stores.licenses,
    requests: stores.licenseRequests,
    audit: stores.audit,
    events: eventWriter,
    configurations: configurations.service,
    configurationReader: stores.kaConfigurations,
    adapterOf: (configuration) => pipeline.adapters.get(configuration),
    hasOpenOperation: licenses.hasOpenOperation,
    licenseView: (id) => licenses.service.get(id),
    queue,
    logger: logger.child({ component: 'sync' }),
    now: clock,
    everyMs: config.scheduler.syncEveryMs,
    schedulerPeriodMs: config.scheduler.everyMs,
    leaseMs: config.pipeline.leaseMs,
  });
  const migrationBulk: MigrationBulkJobs = {
    targets: (input) => bulkJobsOf().service.targets('migrate', input),
    create: (input, actor) => bulkJobsOf().service.create({ action: 'migrate', ...input }, actor),
    jobSchema: bulkJobSchema,
  };
  const migrations = createMigrationsFeature({
    db,
    licenses: stores.licenses,
    requests: stores.licenseRequests,
    operations: licenses.workedOperationStore,
    autoRenew: { set: (tx, id, on, actor) => subscriptions.autoRenew.setIn(tx, id, on, actor) },
    targets: { get: (tx, id) => stores.kaConfigurations.get(tx, id) },
    audit: stores.audit,
    events: eventWriter,
    queue,
    // The batch leaves a migration's requests (their term and install hook) to single jobs.
    onRequestsReady: (ids) => pipeline.startEach(ids),
    now: clock,
    bulk: migrationBulk,
  });
  migrationService = migrations.service;
  const bulkJobsOf = () => {
    if (!bulkJobsLater) throw new Error('bulk jobs are not composed yet');
    return bulkJobsLater;
  };
  const bulkJobs = createBulkJobsFeature({
    db,
    queue,
    audit: stores.audit,
    logger,
    actions: bulkActions({
      actionOnce: licenses.actionOnce,
      manualLicenses: manualLicenses.service,
      sync: {
        sync: (id, actor, note) => licenseSync.service.sync(id, actor, { paced: true, note }),
        acceptKa: (id, actor, note) => licenseSync.resolution.resolve(id, 'accept_ka', actor, { paced: true, note }),
      },
      migrations: migrations.service,
    }),
    sources: bulkSelectionSources({
      db,
      licenseQueries: licenses.service,
      licenses: stores.licenses,
      requests: stores.licenseRequests,
    }),
    leaseMs: config.pipeline.leaseMs,
    graceMs: 2 * config.pipeline.reconcileEveryMs,
  });
  bulkJobsLater = bulkJobs;

  // Usage: pulled from the KAs (or pushed), watched for overuse and missing reports, reported monthly.
  const usage = createUsageFeature({
    db,
    audit: stores.audit,
    secrets,
    now: clock,
    findLicense: (configurationId, keyNumber) => stores.licenses.findByKey(db, configurationId, keyNumber),
    licenseOf: (id) => stores.licenses.get(db, id),
    termsOf: (license) => usageTermsOf(db, license),
    configurationExists: async (id) => (await stores.kaConfigurations.get(db, id)) !== undefined,
    ka: usageKaFacts({
      configurations: configurations.service,
      adapters: pipeline.adapters,
      logger: logger.child({ component: 'usage' }),
    }),
    // What the KA did to a silent SaaS key, recorded as the license's term end (the phase pass tells the rest).
    onExpired: (tx, licenseId, expiredAt) =>
      stores.licenses.updateTerm(tx, licenseId, { expiresAt: expiredAt, keyExpiresAt: expiredAt }),
  });
  const usagePull = new UsagePullPass({
    db,
    store: usage.store,
    recorder: usage.recorder,
    configurations: configurations.service,
    listConfigurations: () => stores.kaConfigurations.list(db),
    adapters: pipeline.adapters,
    logger: logger.child({ component: 'usage' }),
  });

  return {
    stores,
    secrets,
    usage,
    plugins,
    configurations,
    services,
    auth,
    bulkJobs,
    events,
    licenseSync,
    renewals: renewals.service,
    metrics,
    api: {
      publicApi: [services.callbackRoutes, usage.ingestRoutes],
      authenticate: auth.authenticate,
      api: [
        plans.routes,
        customers.routes,
        orders.routes,
        subscriptions.routes,
        licenseRequests.routes,
        audit.routes,
        auth.routes,
        configurations.routes,
        services.routes,
        manualLicenses.routes,
        licenses.routes,
        licenses.workedOperationRoutes,
        licenseSync.routes,
        licenses.transferRoutes,
        renewals.routes,
        licenses.additionalKeyRoutes,
        licenses.activationRoutes,
        quantityChanges.routes,
        bulkJobs.routes,
        migrations.routes,
        subscriptionActions.routes,
        usage.routes,
        ...events.routes,
      ],
    },
    registerJobs() {
      registerPipelineJobs(queue, pipeline, config.pipeline.concurrency);
      registerOperationJobs(queue, operationWork, config.pipeline.concurrency);
      configurations.registerJobs();
      registerServiceJobs(queue, services.service, config.pipeline.concurrency);
      bulkJobs.registerJobs(config.pipeline.concurrency);
      events.start();
    },
    reconcileEngines: [
      services.service.engine,
      pipeline.pipeline.engine,
      operationWork.engine,
      fileRefresh,
      bulkJobs.engine,
      subscriptionActions.sweep,
      migrations.sweep,
    ],
    scheduledPasses: [
      { name: 'renewals due', runDue: (now) => subscriptions.renewalScheduler.runDue(now) },
      // Usage: pull the KAs' days, then judge what changed (so one pass shows an overuse the KA just reported).
      { name: 'usage pull', runDue: (now) => usagePull.runDue(now) },
      { name: 'usage watch', runDue: (now) => usage.watchPass.runDue(now) },
      { name: 'license phases', runDue: (now) => licenses.phaseKeeper.runDue(now) },
      { name: 'usage monthly report', runDue: (now) => usage.reportPass.runDue(now) },
      // Last: it takes most of a period, paced by each configuration's rate.
      { name: 'license sync', runDue: (now) => licenseSync.scheduler.runDue(now) },
    ],
    createWeb: (print) =>
      createWebConsole({
        config,
        logger,
        db,
        jobs: { queue, names: keywayJobNames },
        print,
        auth,
        reads: { db, stores, subscriptionView: view },
        configurations: configurations.service,
        configurationStore: stores.kaConfigurations,
        plugins,
        manualLicenses,
        licenses: licenses.service,
        lifecycle: licenses.lifecycle,
        licenseSync: { service: licenseSync.service, resolution: licenseSync.resolution },
        keys: { additionalKeys: licenses.additionalKeys, activations: licenses.activations },
        transfer: licenses.transfer,
        subscriptions: { autoRenew: subscriptions.autoRenew },
        orderActions: {
          orders: orders.service,
          renewals: renewals.service,
          workedOperations: licenses.workedOperations,
          periodsOf: async (planId) => (await stores.plans.get(db, planId))?.periods ?? [],
        },
        bulkJobs,
        migrations: { service: migrations.service, bulk: migrationBulk },
        subscriptionActions: subscriptionActions.service,
        events: { mail: events.mail, webhooks: events.webhooks },
        usage: { feature: usage, now: clock },
      }),
    async close() {
      await events.close();
      await pipeline.adapters.close();
    },
  };
}
