import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { observabilityApp } from './observability.js';
import { type AppContext, createAppContext } from './app-context.js';
import { ensureAdminToken } from './bootstrap/admin-token.js';
import { assertExactTextComparison } from './bootstrap/database-check.js';
import { demoHelp, startDemo } from './bootstrap/demo.js';
import { sealStoredSecrets } from './bootstrap/stored-secrets.js';
import { type Composition, composeKeyway } from './composition-root.js';
import type { Config } from './config/config.js';
import { migrateLatest } from './infra/db/migrator.js';
import { outgoingTraceparent } from './infra/trace/trace-context.js';
import { setTraceparentSource } from './plugin-sdk/trace-header.js';
import type { Logger } from './infra/log/logger.js';
import { ReconcileLoop } from './provisioning/reconcile-loop.js';
import { SchedulerLoop } from './provisioning/scheduler-loop.js';

export interface RunningKeyway {
  context: AppContext;
  /** Workers: the scheduler, so tests and the demo can run one pass now (`runOnce`) instead of waiting. */
  scheduler?: SchedulerLoop;
  /** Base URL of the HTTP server (roles api and all). */
  url?: string;
  /** The composed parts, for tests and tools that run a pass by hand. */
  keyway: Composition;
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
  /** The process's clock (milliseconds since the epoch); tests move it past a term's end. */
  clock?: () => number;
}

/**
 * Starts one Keyway process in its role: `api` serves HTTP, `worker` runs jobs, `all` both.
 * Used by main.ts and by tests that need a whole process.
 */
export async function startKeyway(config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningKeyway> {
  const context = createAppContext(config, logger, { clock: options.clock });
  // KA calls (and webhook deliveries) made from a traced request or job send its traceparent.
  setTraceparentSource(outgoingTraceparent);
  const serves = config.role !== 'worker';
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
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

  let server: Server | undefined;
  let url: string | undefined;
  const keyway = await composeKeyway(context, {
    serves,
    // Unset: where this process listens (known after listen when PORT is 0), or, in a worker,
    // the API on this host at the configured port.
    publicBaseUrl: () => config.publicBaseUrl ?? url ?? `http://127.0.0.1:${config.port}`,
  });
  if (serves) await ensureAdminToken({ db: context.db, config, logger, stores: keyway.stores }, print);
  // After the plugin sync: the synced definitions say which settings are secret.
  if (serves) await sealStoredSecrets(context.db, keyway.secrets, logger);

  let reconcileLoop: ReconcileLoop | undefined;
  let schedulerLoop: SchedulerLoop | undefined;
  if (config.role !== 'api') {
    keyway.registerJobs();
    reconcileLoop = new ReconcileLoop(keyway.reconcileEngines, logger.child({ component: 'reconciler' }));
    reconcileLoop.start(config.pipeline.reconcileEveryMs);
    schedulerLoop = new SchedulerLoop(
      keyway.scheduledPasses,
      logger.child({ component: 'scheduler' }),
      context.clock,
      context.metrics.schedulerPass,
    );
    schedulerLoop.start(config.scheduler.everyMs);
  }

  // The demo lives in the process that serves (role all on the embedded default).
  const demo =
    config.demo && serves
      ? await startDemo({ db: context.db, stores: keyway.stores }, keyway.configurations.service, keyway.plugins)
      : undefined;

  if (serves) {
    const app = createApp(context, { ...keyway.api, web: await keyway.createWeb(print) });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(config.port, () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    url = `http://127.0.0.1:${port}`;
    logger.info({ url, role: config.role }, 'keyway api listening');
    if (demo) print(demoHelp(url, demo));
    else print(`Staff console: ${url}/   API: ${url}/api/v1 (document at ${url}/api/v1/openapi.json)`);
  } else if (config.metricsPort !== undefined) {
    // A worker's own measures (paid→installed, KA calls) are in its registry: scraped here.
    const app = observabilityApp(context);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(config.metricsPort, () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    logger.info({ url, role: config.role }, 'keyway worker metrics listening');
  }

  return {
    context,
    keyway,
    url,
    scheduler: schedulerLoop,
    async close() {
      // The end of the bound is kept for the teardown (database, adapters, demo servers).
      const deadline = Date.now() + config.shutdownTimeoutMs - Math.min(500, config.shutdownTimeoutMs / 5);
      const left = () => Math.max(0, deadline - Date.now());
      const reconciling = reconcileLoop
        ?.stop()
        .catch((err: unknown) => logger.warn({ err }, 'stopping the reconciler failed'));
      const scheduling = schedulerLoop
        ?.stop()
        .catch((err: unknown) => logger.warn({ err }, 'stopping the scheduler failed'));
      if (server) await closeServer(server, left());
      // Jobs get what the requests left; context.close() below reuses this close.
      await context.queue.close({ timeoutMs: left() });
      await settledWithin(reconciling, left());
      await settledWithin(scheduling, left());
      // Event delivery stops before the database closes under it.
      await settledWithin(
        keyway.events.close().catch((err: unknown) => logger.warn({ err }, 'stopping event delivery failed')),
        left(),
      );
      await context.close();
      await keyway.close();
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
