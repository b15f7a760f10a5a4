import { createHash } from 'node:crypto';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/infra/log/logger.js';
import { startKeyway } from '../src/server.js';
import parallelsKa from '../plugins/parallels-ka/index.js';
import {
  apiCaller,
  benchEnv,
  benchToken,
  concurrency,
  cpuMsOf,
  createBenchDatabase,
  createBenchPlan,
  peakRssMiBOf,
  percentile,
  placeOrders,
  pool,
  spawnKeyways,
  startReferenceServers,
  waitInstalled,
} from './bench-kit.js';
import { runBaseline, runMinimalBaseline } from './pipeline-baseline.js';

/**
 * N paid orders through MariaDB + Bull/Redis + the reference XML-RPC KA over loopback HTTP,
 * then the same database writes and KA calls by a bare script (no framework) as a baseline.
 */
export async function runPipelineBench(options: { orders: number; workers: number }) {
  const database = await createBenchDatabase('keyway_bench');
  const dbUrl = database.url;
  let keepDatabase = false;
  const servers = await startReferenceServers();
  const env = benchEnv(database);
  // With workers, this process is the api and the workers run in processes of their own.
  const config = loadConfig({
    ...env,
    PORT: '0',
    KEYWAY_ADMIN_TOKEN: benchToken,
    KEYWAY_ROLE: options.workers > 0 ? 'api' : 'all',
  });
  const keyway = await startKeyway(config, createLogger(config.logLevel), { print: () => {} });
  // BENCH_WORKER_NODE_ARGS: Node options for the workers (a profile: --cpu-prof --cpu-prof-dir=...).
  const workers = spawnKeyways(
    options.workers,
    env,
    () => ({ KEYWAY_ROLE: 'worker' }),
    process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean),
  );
  let closing: Promise<void> | undefined;
  const closeKeyway = () => {
    closing ??= workers.stop().then(() => keyway.close());
    return closing;
  };
  const call = apiCaller(keyway.url as string);
  try {
    const plan = await createBenchPlan(call, servers, { product: 'PLESK-12-WEB-HOST' });
    const { settings } = plan;
    const db = keyway.context.db;

    // Throughput: orders placed first, then every payment as fast as the API takes them.
    const ids = await placeOrders(call, plan, options.orders, 'bench');
    let queries = 0;
    // BENCH_QUERY_PROFILE=1: which statements the queries are, to find what to batch next.
    const statements = new Map<string, number>();
    const profileQueries = process.env.BENCH_QUERY_PROFILE === '1';
    const countQuery = (query: { sql?: string }) => {
      queries += 1;
      if (!profileQueries || !query.sql) return;
      const shape = query.sql.replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(…)').slice(0, 140);
      statements.set(shape, (statements.get(shape) ?? 0) + 1);
    };
    db.on('query', countQuery);
    const childCpu = () => Promise.all([servers.pid, ...workers.processes.map((w) => w.pid)].map(cpuMsOf));
    const childCpuBefore = await childCpu();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await pool(ids, concurrency, async (id) => {
      await call('POST', `/api/v1/orders/${id}/pay`, { paymentReference: `p-${id}` });
    });
    await waitInstalled(db, options.orders);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const [kaCpuMs = 0, ...workerCpuMs] = (await childCpu()).map((ms, i) => ms - (childCpuBefore[i] ?? 0));
    db.off('query', countQuery);
    const latencies = async (minOrderId: number) => {
      const rows = await db('orders')
        .join('licenses', 'licenses.customer_id', 'orders.customer_id')
        .join('license_requests', 'license_requests.id', 'licenses.request_id')
        .join('subscriptions', 'subscriptions.id', 'license_requests.subscription_id')
        .whereRaw('subscriptions.order_id = orders.id')
        .where('orders.id', '>=', minOrderId)
        .select('orders.paid_at', 'licenses.installed_at');
      return rows.map((r) => Number(r.installed_at) - Number(r.paid_at)).sort((a, b) => a - b);
    };
    const all = await latencies(0);

    // Latency at half the capacity just measured, for 10 s: a rate this machine can sustain,
    // so the figure means the same on any machine.
    const capacity = options.orders / seconds;
    const offered = Math.max(1, Math.round(capacity / 2));
    const paced: number[] = [];
    for (let i = 0; i < offered * 10; i++)
      paced.push(
        (
          await call('POST', '/api/v1/orders', {
            customerId: plan.customerId,
            planId: plan.planId,
            period: 12,
            reference: `paced-${i}`,
          })
        ).id as number,
      );
    const pacedStart = performance.now();
    await Promise.all(
      paced.map(async (id, i) => {
        const due = pacedStart + (i * 1000) / offered;
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        await call('POST', `/api/v1/orders/${id}/pay`, { paymentReference: `pp-${id}` });
      }),
    );
    await waitInstalled(db, options.orders + paced.length);
    const pacedLatencies = await latencies(paced[0] as number);

    // Checked before the baseline adds keys of its own.
    const keysAtKa = await servers.keys();
    const licenses = Number((await db('licenses').count({ n: '*' }).first())?.n);
    const duplicateFree = keysAtKa === licenses;
    // A mismatch is a bug to look into: keep the database for it.
    if (!duplicateFree) keepDatabase = true;
    // Read while they run: a process's high-water mark is gone once it exits.
    const workerPeakRssMiB = await Promise.all(workers.processes.map((w) => peakRssMiBOf(w.pid)));
    // Keyway stops first: its reconciler would otherwise pick up the baseline's rows.
    await closeKeyway();
    const adapter = parallelsKa.createAdapter(settings, { logger: createLogger('silent'), clock: () => new Date() });
    const baselineOptions = {
      dbUrl,
      orders: options.orders,
      concurrency,
      adapter,
      installUrl: servers.target,
      hash: (b: Buffer) => createHash('sha256').update(b).digest('hex'),
    };
    const baseline = await runBaseline(baselineOptions);
    const minimalBaseline = await runMinimalBaseline(baselineOptions);
    await adapter.close?.();
    const rate = options.orders / seconds;
    const perLicense = (ms: number) => Number((ms / options.orders).toFixed(1));
    const keywayCpuMs = perLicense(
      (cpu.user + cpu.system) / 1000 + (options.workers > 0 ? workerCpuMs.reduce((a, b) => a + b, 0) : 0),
    );
    const queriesPerLicense = Math.round(queries / options.orders);
    const p99AtHalf = percentile(pacedLatencies, 99);
    const peakRss = Math.max(
      Math.round(process.resourceUsage().maxRSS / 1024),
      ...workerPeakRssMiB.map((mib) => mib ?? 0),
    );
    // Issue 19's targets, each with the value this run measured (the bench plan sells one
    // license per order, so per order is per license).
    const target = (value: number, limit: number, atLeast = false) => ({
      value,
      target: `${atLeast ? '≥' : '≤'} ${limit}`,
      met: atLeast ? value >= limit : value <= limit,
    });
    const targets = {
      ratioToMinimalBaseline: target(Number((rate / minimalBaseline).toFixed(2)), 0.6, true),
      queriesPerLicense: target(queriesPerLicense, 12),
      keywayCpuMsPerLicense: target(keywayCpuMs, 4),
      p99AtHalfCapacityMs: target(p99AtHalf, 1000),
      peakRssMiB: target(peakRss, 250),
      keysAtKaEqualLicenses: { value: duplicateFree, met: duplicateFree },
    };
    return {
      targets,
      orders: options.orders,
      workerProcesses: options.workers,
      concurrency,
      licensesPerSecond: Math.round(rate),
      paidToInstalledMs: { p50: percentile(all, 50), p95: percentile(all, 95), p99: percentile(all, 99) },
      atHalfCapacity: {
        offeredPerSecond: offered,
        p50: percentile(pacedLatencies, 50),
        p95: percentile(pacedLatencies, 95),
        p99: percentile(pacedLatencies, 99),
      },
      // CPU per license during the throughput run, by process. This process is Keyway (the
      // api alone when there are workers) with the load generator's HTTP client.
      cpuMsPerLicense: {
        [options.workers > 0 ? 'apiAndLoadGenerator' : 'keywayAndLoadGenerator']: perLicense(
          (cpu.user + cpu.system) / 1000,
        ),
        ...(options.workers > 0 ? { workers: perLicense(workerCpuMs.reduce((a, b) => a + b, 0)) } : {}),
        referenceKaAndInstallTarget: perLicense(kaCpuMs),
      },
      // Counted in this process: with worker processes, the api's share only.
      [options.workers > 0 ? 'apiQueriesPerLicense' : 'queriesPerLicense']: Math.round(queries / options.orders),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      ...(options.workers > 0 ? { workerPeakRssMiB } : {}),
      baselineLicensesPerSecond: Math.round(baseline),
      ratioToBaseline: Number((rate / baseline).toFixed(2)),
      minimalBaselineLicensesPerSecond: Math.round(minimalBaseline),
      ratioToMinimalBaseline: Number((rate / minimalBaseline).toFixed(2)),
      keysAtKa,
      licenses,
      keysAtKaEqualLicenses: duplicateFree,
      ...(profileQueries
        ? {
            statementsPerLicense: Object.fromEntries(
              [...statements]
                .sort((a, b) => b[1] - a[1])
                .slice(0, 40)
                .map(([sql, n]) => [sql, Number((n / options.orders).toFixed(2))]),
            ),
          }
        : {}),
      ...(keepDatabase ? { keptDatabase: database.name } : {}),
    };
  } finally {
    await closeKeyway();
    servers.close();
    await database.finish(keepDatabase);
  }
}
