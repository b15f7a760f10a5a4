import { loadConfig } from '../src/config/config.js';
import { createDatabase, type Db } from '../src/infra/db/database.js';
import { createLogger } from '../src/infra/log/logger.js';
import { startKeyway } from '../src/server.js';
import {
  apiCaller,
  benchEnv,
  benchToken,
  cpuMsOf,
  createBenchDatabase,
  freePort,
  metricsToken,
  peakRssMiBOf,
  rssMiBOf,
  scrapeMetrics,
  sleep,
  spawnKeyways,
  startReferenceServers,
  waitForWorkerMetrics,
} from './bench-kit.js';
import { driftAtKa, judgeDrift } from './sync-drift.js';
import { seedSyncBase } from './sync-seed.js';

export interface SyncBenchOptions {
  licenses: number;
  /** KA configurations (tabs) the licenses are spread over, each with its own account at the KA. */
  tabs: number;
  /** Each configuration's `syncCallsPerSecond`. */
  callsPerSecond: number;
  workers: number;
  /** The workers' `KEYWAY_SCHEDULER_EVERY_MS`. */
  schedulerEveryMs: number;
  /** Gives up waiting for the sweep after this long (the result then says `completed: false`). */
  timeoutMs: number;
  /** Node's options for the workers (a heap limit, a profiler). */
  workerNodeArgs?: string[];
}

/** The share of the base the script makes drift at the KA. */
const driftShare = 0.01;

/** The values of one metric's samples (`name{labels} value`) whose labels include `having`, with their labels. */
function metricSamples(text: string, name: string, having = ''): Array<{ labels: string; value: number }> {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(having))
    .map((line) => ({ labels: line.slice(name.length, line.lastIndexOf(' ')), value: Number(line.split(' ').pop()) }));
}

const metricSum = (text: string, name: string, having = '') =>
  metricSamples(text, name, having).reduce((a, s) => a + s.value, 0);

const checkedSince = async (db: Db, since: number) =>
  Number((await db('licenses').where('last_synced_at', '>=', since).count({ n: '*' }).first())?.n ?? 0);

/**
 * The daily sync of a base of licenses (issue 16) on MariaDB, the way production runs it:
 * worker processes running the scheduler, whose `license sync` pass reads each due license's
 * key at its KA (`getKeyInfo`), paced per configuration by its `syncCallsPerSecond`.
 *
 * Setup, not measured: n keys issued at the reference KA through its XML-RPC `createKey` over
 * `tabs` partner accounts, one KA configuration per account, and n installed licenses in sync
 * written straight into MariaDB, all due now (see `seedSyncBase`). Then a script makes 1 % of
 * the keys drift at the KA (`driftAtKa`) and the workers start. Measured until every license
 * was read once: licenses checked per second and per KA call, the KA's own count of the key
 * reads per configuration in any second against the configured rate, the worker's memory over
 * the sweep (sampled each second, and its peak), and when the drifted licenses were found.
 */
export async function runSyncBench(options: SyncBenchOptions) {
  const n = options.licenses;
  const database = await createBenchDatabase('keyway_bench_sync');
  let keepDatabase = false;
  const servers = await startReferenceServers();
  const env = benchEnv(database);
  // Setup: an api process (no scheduler) for the configurations; it stops before the sweep.
  const config = loadConfig({ ...env, PORT: '0', KEYWAY_ADMIN_TOKEN: benchToken, KEYWAY_ROLE: 'api' });
  const setupKeyway = await startKeyway(config, createLogger(config.logLevel), { print: () => {} });
  let setupClosed: Promise<void> | undefined;
  const closeSetup = () => {
    setupClosed ??= setupKeyway.close();
    return setupClosed;
  };
  let workers: ReturnType<typeof spawnKeyways> | undefined;
  const db = createDatabase(database.url);
  try {
    const base = await seedSyncBase({
      call: apiCaller(setupKeyway.url as string),
      servers,
      dbUrl: database.url,
      licenses: n,
      tabs: options.tabs,
      callsPerSecond: options.callsPerSecond,
    });
    await closeSetup();
    const driftStarted = performance.now();
    const drifted = await driftAtKa(servers, base.licenses, driftShare);
    const driftSeconds = (performance.now() - driftStarted) / 1000;
    await servers.resetCalls();

    const ports = await Promise.all(Array.from({ length: options.workers }, freePort));
    const started = Date.now();
    workers = spawnKeyways(
      options.workers,
      env,
      (i) => ({
        KEYWAY_ROLE: 'worker',
        KEYWAY_SCHEDULER_EVERY_MS: String(options.schedulerEveryMs),
        KEYWAY_METRICS_PORT: String(ports[i]),
        KEYWAY_METRICS_TOKEN: metricsToken,
      }),
      options.workerNodeArgs,
    );
    const pids = workers.processes.map((w) => w.pid);
    // Memory over the sweep: each second, licenses checked so far, each worker's RSS and the
    // JavaScript heap its live objects use (what a leak grows; RSS also holds V8's headroom).
    const samples: Array<{ checked: number; rssMiB: Array<number | undefined>; heapUsedMiB: number[] }> = [];
    const sample = async () => {
      const rssMiB = await Promise.all(pids.map(rssMiBOf));
      const heapUsedMiB = (await Promise.all(ports.map((p) => scrapeMetrics(p).catch(() => '')))).map((text) =>
        Math.round(metricSum(text, 'keyway_nodejs_heap_size_used_bytes') / 2 ** 20),
      );
      samples.push({ checked: await checkedSince(db, started), rssMiB, heapUsedMiB });
    };
    await waitForWorkerMetrics(ports, workers.processes);
    await sample();
    const cpuBefore = await Promise.all([servers.pid, ...pids].map(cpuMsOf));
    let completed = false;
    while (Date.now() - started < options.timeoutMs) {
      await sample();
      if ((samples.at(-1)?.checked ?? 0) >= n) {
        completed = true;
        break;
      }
      if (workers.processes.some((p) => p.exitCode !== null)) throw new Error('a worker process exited');
      await sleep(1000);
    }
    const [kaCpuMs = 0, ...workerCpuMs] = (await Promise.all([servers.pid, ...pids].map(cpuMsOf))).map(
      (ms, i) => ms - (cpuBefore[i] ?? 0),
    );
    const workerPeakRssMiB = await Promise.all(pids.map(peakRssMiBOf));
    const metrics = await Promise.all(ports.map(scrapeMetrics));
    const calls = await servers.calls();
    await workers.stop();

    const span = (await db('licenses')
      .where('last_synced_at', '>=', started)
      .min({ first: 'last_synced_at' })
      .max({ last: 'last_synced_at' })
      .count({ checked: '*' })
      .first()) as { first: number | string | null; last: number | string | null; checked: number | string };
    const checked = Number(span.checked);
    const first = Number(span.first ?? started);
    const sweepSeconds = (Number(span.last ?? first) - first) / 1000;
    const judged = await judgeDrift(db, drifted, started);
    const after = (ms: number | undefined) => (ms === undefined ? null : Number(((ms - started) / 1000).toFixed(1)));

    const perTab = base.tabs.map((tab) => {
      const c = calls[tab.clientId];
      return {
        configurationId: tab.configurationId,
        keyReadsAtKa: c?.keyReads ?? 0,
        callsAtKa: c?.calls ?? 0,
        maxKeyReadsInAnySecond: c?.maxKeyReadsInAnySecond ?? 0,
        maxCallsInAnySecond: c?.maxCallsInAnySecond ?? 0,
      };
    });
    const kaCalls = perTab.reduce((a, t) => a + t.callsAtKa, 0);
    const withinRate = perTab.every((t) => t.maxKeyReadsInAnySecond <= options.callsPerSecond);
    // Keyway's own count of its KA calls during the sweep, by method (all workers).
    const keywayCalls: Record<string, number> = {};
    for (const { labels, value } of metrics.flatMap((text) =>
      metricSamples(text, 'keyway_ka_call_duration_seconds_count'),
    )) {
      const method = /method="([^"]*)"/.exec(labels)?.[1] ?? '';
      keywayCalls[method] = (keywayCalls[method] ?? 0) + value;
    }
    const syncPass = 'pass="license sync"';
    const syncPasses = metrics.map((text) => ({
      runs: metricSum(text, 'keyway_scheduler_pass_seconds_count', syncPass),
      seconds: Number(metricSum(text, 'keyway_scheduler_pass_seconds_sum', syncPass).toFixed(1)),
    }));
    // RSS and heap used as each tenth of the base had been checked.
    const tenths = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1].map((share) =>
      samples.find((s) => s.checked >= share * n),
    );
    const sampledMax = pids.map((_, i) => Math.max(...samples.map((s) => s.rssMiB[i] ?? 0)));

    const ok =
      completed &&
      checked === n &&
      judged.found === judged.drifted &&
      judged.missed.length === 0 &&
      judged.falselyFlagged.length === 0 &&
      judged.auditedUndrifted === 0 &&
      judged.failed === 0 &&
      withinRate;
    if (!ok) keepDatabase = true;
    const lastFound = judged.foundAt.at(-1);
    return {
      ok,
      licenses: n,
      tabs: options.tabs,
      syncCallsPerSecondPerTab: options.callsPerSecond,
      workerProcesses: options.workers,
      schedulerEveryMs: options.schedulerEveryMs,
      setup: {
        keysIssuedAtKaSeconds: Number(base.keySeconds.toFixed(1)),
        keysIssuedPerSecond: Math.round(n / base.keySeconds),
        rowsSeconds: Number(base.rowSeconds.toFixed(1)),
        driftSeconds: Number(driftSeconds.toFixed(1)),
      },
      completed,
      checked,
      // From the first license read to the last (the workers' clocks, in the database).
      sweepSeconds: Number(sweepSeconds.toFixed(1)),
      firstCheckAfterWorkerStartSeconds: after(first),
      licensesCheckedPerSecond: Math.round(checked / sweepSeconds),
      licensesCheckedPerSecondPerTab: Math.round(checked / sweepSeconds / options.tabs),
      kaCalls: {
        atKa: kaCalls,
        keyReadsAtKa: perTab.reduce((a, t) => a + t.keyReadsAtKa, 0),
        licensesCheckedPerKaCall: Number((checked / kaCalls).toFixed(3)),
        keywayCountedByMethod: keywayCalls,
        perTab,
        withinRate,
      },
      drift: {
        drifted: judged.drifted,
        found: judged.found,
        missed: judged.missed.length,
        falselyFlagged: judged.falselyFlagged.length,
        undriftedLicensesAudited: judged.auditedUndrifted,
        failedReads: judged.failed,
        // From the workers' start: the first and the last drifted license found.
        firstFoundAfterSeconds: after(judged.foundAt[0]),
        allFoundAfterSeconds: after(lastFound),
        auditActions: judged.auditActions,
        ...(judged.missed.length ? { missedIds: judged.missed.slice(0, 20) } : {}),
        ...(judged.falselyFlagged.length ? { falselyFlaggedIds: judged.falselyFlagged.slice(0, 20) } : {}),
      },
      workerMemory: {
        peakRssMiB: workerPeakRssMiB,
        sampledMaxRssMiB: sampledMax,
        whenReadyRssMiB: samples[0]?.rssMiB ?? null,
        rssMiBEachTenth: tenths.map((s) => s?.rssMiB.join('/') ?? null),
        heapUsedMiBEachTenth: tenths.map((s) => s?.heapUsedMiB.join('/') ?? null),
      },
      cpuMsPerLicense: {
        workers: Number((workerCpuMs.reduce((a, b) => a + b, 0) / Math.max(1, checked)).toFixed(2)),
        referenceKaAndInstallTarget: Number((kaCpuMs / Math.max(1, checked)).toFixed(2)),
      },
      licenseSyncPasses: syncPasses,
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
