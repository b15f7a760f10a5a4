import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { type AppContext, createAppContext, createOrderService } from './app-context.js';
import { apiRoutes } from './api-routes.js';
import { ensureAdminToken } from './bootstrap/admin-token.js';
import { assertExactTextComparison } from './bootstrap/database-check.js';
import { sealStoredSecrets } from './bootstrap/stored-secrets.js';
import { demoHelp, startDemo } from './bootstrap/demo.js';
import type { Config } from './config/config.js';
import { KaConfigurationService } from './features/ka-configurations/ka-configuration-service.js';
import { KaConfigurationStore } from './features/ka-configurations/ka-configuration-store.js';
import { kaConfigurationRoutes } from './features/ka-configurations/ka-configuration-routes.js';
import { registerServiceJobs } from './features/services/service-jobs.js';
import { createServicesFeature } from './features/services/services-feature.js';
import { createEventsFeature } from './features/events/events-feature.js';
import { createMetricsRegistry } from './infra/metrics/metrics-registry.js';
import { createLicensesFeature } from './features/licenses/licenses-feature.js';
import { createManualLicensesFeature } from './features/uploads/manual-licenses-feature.js';
import { migrateLatest } from './infra/db/migrator.js';
import { startPluginHost } from './plugin-host/plugin-host.js';
import { ReconcileLoop } from './provisioning/reconcile-loop.js';
import { createPipeline, registerPipelineJobs } from './provisioning/register-pipeline.js';
import type { Logger } from './infra/log/logger.js';
import { createWebConsole } from './web/web-console.js';

export interface RunningKeyway {
  context: AppContext;
  /** Base URL of the HTTP server (roles api and all). */
  url?: string;
  /**
   * Stops within `shutdownTimeoutMs` of the configuration: requests in flight are answered
   * (new ones refused), then jobs in flight get what is left of it but its last fifth (at most
   * half a second), which is the teardown's; whatever is still running then is given up (its
   * connections cut, its job left to the reconciler or another worker).
   */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where one-time messages (the generated admin token) go. */
  print?: (line: string) => void;
}

/**
 * Starts one Keyway process in its role: `api` serves HTTP, `worker` runs jobs, `all` both.
 * Used by main.ts and by tests that need a whole process.
 */
export async function startKeyway(config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningKeyway> {
  const context = createAppContext(config, logger);
  const serves = config.role !== 'worker';
  try {
    if (serves && config.migrateOnStart) {
      const applied = await migrateLatest(context.db);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    await assertExactTextComparison(context.db);
  } catch (err) {
    await context.close();
    throw err;
  }
  if (serves) await ensureAdminToken(context, options.print ?? ((line) => process.stdout.write(`${line}\n`)));

  let server: Server | undefined;
  let url: string | undefined;
  const plugins = await startPluginHost(config.pluginsDir, context.db, logger, { sync: serves });
  // After the plugin sync: the synced definitions say which settings are secret.
  if (serves) await sealStoredSecrets(context.db, context.secrets, logger);
  const configurationStore = new KaConfigurationStore();
  const configurations = new KaConfigurationService(
    context.db,
    configurationStore,
    context.stores.audit,
    plugins,
    context.queue,
    logger,
    context.secrets,
  );
  const pipeline = createPipeline(context, configurations);
  const events = createEventsFeature({
    db: context.db,
    config: config.events,
    demo: config.demo,
    secrets: context.secrets,
    audit: context.stores.audit,
    logger,
    metrics: createMetricsRegistry(),
    consoleUrl: () => config.publicBaseUrl ?? url ?? `http://127.0.0.1:${config.port}`,
  });
  if (config.role !== 'api') events.start();
  if (config.role !== 'api') registerPipelineJobs(context, pipeline, configurations);

  const services = createServicesFeature({
    db: context.db,
    queue: context.queue,
    audit: context.stores.audit,
    secrets: context.secrets,
    logger: logger.child({ component: 'services' }),
    // Unset: where this process listens (known after listen when PORT is 0), or, in a worker,
    // the API on this host at the configured port.
    publicBaseUrl: () => config.publicBaseUrl ?? url ?? `http://127.0.0.1:${config.port}`,
    onAllServicesReady: async (subscriptionId) => {
      await context.release.releaseSubscription(subscriptionId);
    },
    retry: {
      maxAttempts: config.pipeline.maxAttempts,
      initialDelayMs: config.pipeline.initialDelayMs,
      maxDelayMs: config.pipeline.maxDelayMs,
    },
  });
  let reconcileLoop: ReconcileLoop | undefined;
  if (config.role !== 'api') {
    registerServiceJobs(context.queue, services.service, config.pipeline.concurrency);
    reconcileLoop = new ReconcileLoop(
      // Services first: licenses are released when the last service is ready.
      [services.service.engine, pipeline.pipeline.engine],
      logger.child({ component: 'reconciler' }),
    );
    reconcileLoop.start(config.pipeline.reconcileEveryMs);
  }

  // Services first; licenses are released when the last service is ready.
  // After the payment committed: services to provision first, or, when all were ready at
  // creation, the license requests straight to the pipeline. A failure here must not fail the
  // payment: the reconcilers start the services or the requests on their next round.
  const orderService = createOrderService(context, async ({ subscriptionId, servicesReady, readyRequestIds }) => {
    try {
      if (servicesReady) await context.notifyLicenseRequestsReady(readyRequestIds);
      else await services.service.start(subscriptionId);
    } catch (err) {
      logger.warn({ err, subscriptionId }, 'starting a paid subscription failed; the reconcilers will');
    }
  });

  // The demo lives in the process that serves (role all on the embedded default).
  const demo = config.demo && serves ? await startDemo(context, configurations, plugins) : undefined;

  if (serves) {
    const manualLicenses = createManualLicensesFeature({
      db: context.db,
      queue: context.queue,
      stores: context.stores,
      configurations: configurationStore,
      events: context.events,
    });
    const licenses = createLicensesFeature({
      db: context.db,
      stores: context.stores,
      configurations: configurationStore,
      configurationService: configurations,
      queue: context.queue,
      leaseMs: config.pipeline.leaseMs,
      events: context.events,
    });
    const extra = [
      kaConfigurationRoutes({ db: context.db, store: configurationStore, service: configurations, plugins }),
      services.routes,
      manualLicenses.routes,
      licenses.routes,
      ...events.routes,
    ];
    const web = await createWebConsole({
      context,
      print: options.print ?? ((line) => process.stdout.write(`${line}\n`)),
      configurations,
      configurationStore,
      plugins,
      manualLicenses,
      licenses: licenses.service,
      lifecycle: licenses.lifecycle,
      events,
    });
    const app = createApp(context, {
      ...apiRoutes(context, { orderService, extra, extraPublic: [services.callbackRoutes] }),
      web,
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(config.port, () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    url = `http://127.0.0.1:${port}`;
    logger.info({ url, role: config.role }, 'keyway api listening');
    if (demo) (options.print ?? ((line) => process.stdout.write(`${line}\n`)))(demoHelp(url, demo));
  }

  return {
    context,
    url,
    async close() {
      // The end of the bound is kept for the teardown (database, adapters, demo servers).
      const deadline = Date.now() + config.shutdownTimeoutMs - Math.min(500, config.shutdownTimeoutMs / 5);
      const left = () => Math.max(0, deadline - Date.now());
      const reconciling = reconcileLoop
        ?.stop()
        .catch((err: unknown) => logger.warn({ err }, 'stopping the reconciler failed'));
      if (server) await closeServer(server, left());
      // Jobs get what the requests left; context.close() below reuses this close.
      await context.queue.close({ timeoutMs: left() });
      await settledWithin(reconciling, left());
      await settledWithin(
        events.close().catch((err: unknown) => logger.warn({ err }, 'stopping event delivery failed')),
        left(),
      );
      await context.close();
      await pipeline.adapters.close();
      await demo?.close();
    },
  };
}

/** Refuses new connections, lets requests in flight finish for `withinMs`, then cuts what is left. */
async function closeServer(server: Server, withinMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), withinMs);
  try {
    await closed;
  } finally {
    clearTimeout(cut);
  }
}

/** Waits for `work`, which must not reject, for at most `ms`. */
async function settledWithin(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([work, timedOut]);
  clearTimeout(timer);
}
