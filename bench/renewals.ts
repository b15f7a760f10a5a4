import { loadConfig } from '../src/config/config.js';
import { createDatabase, type Db } from '../src/infra/db/database.js';
import { createLogger } from '../src/infra/log/logger.js';
import { startKeyway } from '../src/server.js';
import {
  apiCaller,
  benchEnv,
  benchToken,
  concurrency,
  cpuMsOf,
  createBenchDatabase,
  createBenchPlan,
  freePort,
  metricsToken,
  peakRssMiBOf,
  placeOrders,
  pool,
  scrapeMetrics,
  startStatementProfile,
  statementsSentOf,
  sleep,
  spawnKeyways,
  startReferenceServers,
  waitForWorkerMetrics,
  waitInstalled,
} from './bench-kit.js';

const DAY_MS = 86_400_000;
/** Sold as a fixed term of 12 months (`fixedTerms`), so every renewal is a `renewKey` at the KA, not a lease the KA renews itself. */
const product = 'PLESK-12-WEB-PRO';
const pass = 'renewals due';

export interface RenewalsBenchOptions {
  subscriptions: number;
  workers: number;
  /** The workers' `KEYWAY_SCHEDULER_EVERY_MS`. */
  schedulerEveryMs: number;
  /** Gives up waiting for the wave after this long (the result then says `completed: false`). */
  timeoutMs: number;
}

/** One worker's `keyway_scheduler_pass_seconds` for the renewals pass: count, sum and cumulative buckets. */
interface PassHistogram {
  count: number;
  sum: number;
  buckets: Array<[number, number]>;
}

function passHistogram(text: string): PassHistogram {
  const h: PassHistogram = { count: 0, sum: 0, buckets: [] };
  for (const line of text.split('\n')) {
    if (!line.startsWith('keyway_scheduler_pass_seconds') || !line.includes(`pass="${pass}"`)) continue;
    const value = Number(line.split(' ').pop());
    if (line.startsWith('keyway_scheduler_pass_seconds_count')) h.count = value;
    else if (line.startsWith('keyway_scheduler_pass_seconds_sum')) h.sum = value;
    else {
      const le = /le="([^"]+)"/.exec(line)?.[1];
      if (le !== undefined) h.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), value]);
    }
  }
  return h;
}

/** The passes between two scrapes: how many, their total, and the bucket bound the slowest of them is under. */
function passesBetween(before: PassHistogram, after: PassHistogram) {
  const passes = after.count - before.count;
  const slowest = after.buckets.find(([le, n]) => n - (before.buckets.find(([l]) => l === le)?.[1] ?? 0) === passes);
  return {
    passes,
    seconds: Number((after.sum - before.sum).toFixed(2)),
    slowestPassAtMostSeconds: slowest?.[0] ?? null,
  };
}

/** Where the wave stands, from the database: what is paid, renewed at the KA, refetched and installed. */
async function progress(db: Db) {
  const n = async (q: PromiseLike<unknown>) => Number(((await q) as { n: number | string } | undefined)?.n ?? 0);
  return {
    paid: await n(db('orders').where({ kind: 'renewal', state: 'paid' }).count({ n: '*' }).first()),
    renewed: await n(db('license_operations').where({ kind: 'renew', state: 'succeeded' }).count({ n: '*' }).first()),
    refetched: await n(db('license_files').where('generation', '>=', 2).countDistinct({ n: 'license_id' }).first()),
    installed: await n(db('license_requests').where({ state: 'installed' }).count({ n: '*' }).first()),
  };
}

/**
 * A renewal wave on MariaDB: N subscriptions of a fixed-term key, installed through the
 * pipeline (unmeasured, one process), then all made due on the same day while `workers`
 * worker processes run with `KEYWAY_AUTORENEW_PAYMENT=assume`. Measured: from the moment the
 * expiries move until every subscription has one paid renewal order, every license's `renew`
 * operation succeeded and the renewed file is installed; and what the KA renewed.
 */
export async function runRenewalsBench(options: RenewalsBenchOptions) {
  const n = options.subscriptions;
  const database = await createBenchDatabase('keyway_bench_renewals');
  let keepDatabase = false;
  const servers = await startReferenceServers();
  const env = benchEnv(database);
  // Setup: one process, api and worker, paying N orders. Its scheduler is idle (nothing is due
  // for a year) and it stops before the wave, so only the measured workers raise the renewals.
  const config = loadConfig({
    ...env,
    PORT: '0',
    KEYWAY_ADMIN_TOKEN: benchToken,
    KEYWAY_ROLE: 'all',
    KEYWAY_SCHEDULER_EVERY_MS: String(3_600_000),
  });
  const setupKeyway = await startKeyway(config, createLogger(config.logLevel), { print: () => {} });
  let setupClosed: Promise<void> | undefined;
  const closeSetup = () => {
    setupClosed ??= setupKeyway.close();
    return setupClosed;
  };
  const ports = await Promise.all(Array.from({ length: options.workers }, freePort));
  let workers: ReturnType<typeof spawnKeyways> | undefined;
  const db = createDatabase(database.url);
  try {
    const call = apiCaller(setupKeyway.url as string);
    const plan = await createBenchPlan(call, servers, { product, fixedTerms: `${product}=12` });
    const setupStarted = performance.now();
    const ids = await placeOrders(call, plan, n, 'bench');
    await pool(ids, concurrency, async (id) => {
      await call('POST', `/api/v1/orders/${id}/pay`, { paymentReference: `p-${id}` });
    });
    await waitInstalled(db, n);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    await closeSetup();
    const terms = Number((await db('licenses').where({ term_kind: 'term' }).count({ n: '*' }).first())?.n);
    if (terms !== n)
      throw new Error(`${n - terms} of ${n} licenses are not fixed terms: renewals would not reach the KA`);

    workers = spawnKeyways(
      options.workers,
      env,
      (i) => ({
        KEYWAY_ROLE: 'worker',
        KEYWAY_AUTORENEW_PAYMENT: 'assume',
        KEYWAY_SCHEDULER_EVERY_MS: String(options.schedulerEveryMs),
        KEYWAY_METRICS_PORT: String(ports[i]),
        KEYWAY_METRICS_TOKEN: metricsToken,
      }),
      // BENCH_WORKER_NODE_ARGS: Node options for the workers (a profile: --cpu-prof --cpu-prof-dir=...).
      process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean),
    );
    await waitForWorkerMetrics(ports, workers.processes);
    const metricsBefore = await Promise.all(ports.map(scrapeMetrics));
    const passesBefore = metricsBefore.map(passHistogram);
    const childCpu = () => Promise.all([servers.pid, ...workers!.processes.map((w) => w.pid)].map(cpuMsOf));
    const cpuBefore = await childCpu();

    // BENCH_QUERY_PROFILE=1: which statements the wave sends (MariaDB's general log, all processes).
    const profile = process.env.BENCH_QUERY_PROFILE === '1' ? await startStatementProfile(db) : undefined;
    // The wave: every subscription ends on the same day, inside the 7-day renewal notice.
    const wallStart = Date.now();
    const due = Math.floor((wallStart + 3 * DAY_MS) / DAY_MS) * DAY_MS;
    const started = performance.now();
    await db('subscriptions').where({ state: 'active' }).update({ expires_at: due });
    let state = await progress(db);
    let completed = false;
    while (performance.now() - started < options.timeoutMs) {
      state = await progress(db);
      if (state.paid >= n && state.renewed >= n && state.refetched >= n && state.installed >= n) {
        completed = true;
        break;
      }
      await sleep(250);
    }
    const seconds = (performance.now() - started) / 1000;
    const [kaCpuMs = 0, ...workerCpuMs] = (await childCpu()).map((ms, i) => ms - (cpuBefore[i] ?? 0));
    const profiled = (await profile?.stop()) ?? new Map<string, number>();
    const metricsAfter = await Promise.all(ports.map(scrapeMetrics));
    const passesAfter = metricsAfter.map(passHistogram);
    const statements = metricsAfter.reduce(
      (sum, text, i) => sum + statementsSentOf(text) - statementsSentOf(metricsBefore[i] ?? ''),
      0,
    );
    const workerPeakRssMiB = await Promise.all(workers.processes.map((w) => peakRssMiBOf(w.pid)));

    const orders = await db('orders')
      .where({ kind: 'renewal' })
      .min({ first: 'created_at' })
      .max({ last: 'created_at', lastPaid: 'paid_at' })
      .first();
    const twice = await db('orders')
      .where({ kind: 'renewal' })
      .groupBy('renews_subscription_id')
      .havingRaw('count(*) > 1')
      .select('renews_subscription_id');
    const renewedOnce = Number((await db('subscription_renewals').countDistinct({ n: 'subscription_id' }).first())?.n);
    const byState = (await db('license_operations')
      .where({ kind: 'renew' })
      .groupBy('state')
      .select('state', db.raw('count(*) as n'))) as Array<{ state: string; n: number | string }>;
    const operations = Object.fromEntries(byState.map((r) => [r.state, Number(r.n)]));
    const ka = await servers.renewals();
    const after = (ms: unknown) => (ms === null ? null : Number(((Number(ms) - wallStart) / 1000).toFixed(2)));
    const ok =
      completed &&
      ka.keysRenewedTwice === 0 &&
      ka.renewals === ka.keys &&
      ka.keys === state.paid &&
      state.paid === n &&
      twice.length === 0;
    // A failed check is a bug to look into: keep the database for it.
    if (!ok) keepDatabase = true;
    const perRenewal = (ms: number) => Number((ms / n).toFixed(1));
    return {
      ok,
      subscriptions: n,
      workerProcesses: options.workers,
      concurrency,
      setup: { seconds: Number(setupSeconds.toFixed(1)), licensesPerSecond: Math.round(n / setupSeconds) },
      completed,
      waveSeconds: Number(seconds.toFixed(1)),
      renewalsPerSecond: Math.round(state.paid / seconds),
      scheduler: {
        everyMs: options.schedulerEveryMs,
        // From the expiries moving: the first renewal order placed, the last placed, the last paid.
        firstRenewalOrderAfterSeconds: after(orders?.first),
        lastRenewalOrderAfterSeconds: after(orders?.last),
        lastRenewalPaidAfterSeconds: after(orders?.lastPaid),
        renewalOrdersSpanSeconds:
          orders?.first === null || orders?.first === undefined
            ? null
            : Number(((Number(orders.last) - Number(orders.first)) / 1000).toFixed(2)),
        // Each worker's `keyway_scheduler_pass_seconds{pass="renewals due"}` during the wave.
        renewalsDuePasses: passesAfter.map((a, i) => passesBetween(passesBefore[i] as PassHistogram, a)),
      },
      renewalOrdersPaid: state.paid,
      subscriptionsRenewed: renewedOnce,
      subscriptionsWithTwoRenewalOrders: twice.length,
      renewOperations: operations,
      renewedFilesInstalled: Math.min(state.refetched, state.installed),
      keysRenewedAtKa: ka.keys,
      renewalsAtKa: ka.renewals,
      keysRenewedMoreThanOnce: ka.keysRenewedTwice,
      keysRenewedAtKaEqualRenewalsPaid: ka.keys === state.paid,
      cpuMsPerRenewal: {
        workers: perRenewal(workerCpuMs.reduce((a, b) => a + b, 0)),
        referenceKaAndInstallTarget: perRenewal(kaCpuMs),
      },
      // The workers' statements over the wave (renewal orders, their payments, the renewals at
      // the KA and the renewed files' installs), per renewal.
      statementsPerRenewal: Number((statements / n).toFixed(1)),
      workerPeakRssMiB,
      ...(profile
        ? {
            statementShapesPerRenewal: Object.fromEntries(
              [...profiled]
                .sort((a, b) => b[1] - a[1])
                .slice(0, 40)
                .map(([sql, count]) => [sql, Number((count / n).toFixed(2))]),
            ),
          }
        : {}),
      ...(keepDatabase ? { keptDatabase: database.name } : {}),
    };
  } finally {
    await workers?.stop();
    await closeSetup();
    await db.destroy();
    servers.close();
    await database.finish(keepDatabase);
  }
}
