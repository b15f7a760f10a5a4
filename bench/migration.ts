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
  createServerPlan,
  peakRssMiBOf,
  placeOrders,
  pool,
  spawnKeyways,
  startReferenceServers,
  waitInstalled,
} from './bench-kit.js';

/** Sold at the old KA; the product map moves it to `newProduct` at the new one. */
const oldProduct = 'PLESK-12-WEB-HOST';
const newProduct = 'PLESK-12-WEB-PRO';
/**
 * The workers' lease and reconciler: a dead worker's work is taken again once its lease lapses,
 * so the default (5 minutes, for KAs slower than this one) would be most of the run's tail.
 * The lease stays three times the KA configuration's timeout.
 */
const workerEnv = {
  KEYWAY_ROLE: 'worker',
  KEYWAY_LEASE_MS: '30000',
  KEYWAY_RECONCILE_EVERY_MS: '5000',
  KEYWAY_RETRY_INITIAL_DELAY_MS: '1000',
  KEYWAY_RETRY_MAX_DELAY_MS: '10000',
};

/** How long the KAs hold their answers around the kill (see `slowAnswers`). */
const slowAnswerMs = 3000;
/** No progress for this long ends the wait (well past the lease and the retries' longest delay). */
const stallMs = 180_000;

export interface MigrationBenchOptions {
  licenses: number;
  workers: number;
  /**
   * Licenses whose hosting server shares one address (1: a server each, as a Plesk key is per
   * server). A KA lookup after a lost answer lists the keys of the server's address.
   */
  licensesPerServer: number;
  /** Share of the licenses migrated when one worker is killed (`SIGKILL`) and a new one started. */
  killAt: number;
  /** Gives up waiting after this long (the result then says `completed: false`). */
  timeoutMs: number;
}

/** The address of the i-th hosting server, in the range set aside for benchmarks (198.18.0.0/15). */
const serverAddress = (i: number) => `198.${18 + ((i >> 16) & 1)}.${(i >> 8) & 255}.${i & 255}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = async (q: PromiseLike<unknown>) => Number(((await q) as { n: number | string } | undefined)?.n ?? 0);

/** Rows per value of `column`, as `{value: n}`. */
async function countsBy(db: Db, table: string, column: string, where: Record<string, unknown> = {}) {
  const rows = (await db(table).where(where).groupBy(column).select(column, db.raw('count(*) as n'))) as Array<
    Record<string, unknown>
  >;
  return Object.fromEntries(rows.map((r) => [String(r[column]), Number(r.n)]));
}

/** Where the migration stands, from the database. */
async function progress(db: Db, jobId: number) {
  const migrations = await countsBy(db, 'license_migrations', 'state');
  const job = (await db('bulk_jobs').where({ id: jobId }).first()) as Record<string, unknown> | undefined;
  return {
    migrations,
    migrated: migrations.migrated ?? 0,
    failed: migrations.failed ?? 0,
    job: {
      state: String(job?.state),
      finished: job?.finished_at !== null && job?.finished_at !== undefined,
      done: Number(job?.done ?? 0),
      failed: Number(job?.failed ?? 0),
      skipped: Number(job?.skipped ?? 0),
    },
  };
}

/** A key as the reference KA's admin surface lists it (`GET /_reference/keys`). */
interface KaKey {
  keyNumber: string;
  terminated: boolean;
  note?: string;
}

/**
 * Slows the next answers of the calls a migration makes (the KA acts at once, its answer waits),
 * so that the worker killed meanwhile dies with calls whose outcome it never learns: keys made
 * at the new KA, with or without their note, and old keys terminated.
 */
async function slowAnswers(kas: { old: string; new: string }, ms: number, times: number): Promise<void> {
  const arm = async (ka: string, method: string) => {
    const res = await fetch(`${ka}/_reference/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method, fault: { kind: 'latency', ms }, times }),
    });
    if (!res.ok) throw new Error(`the reference KA refused a fault: ${res.status}`);
  };
  await Promise.all([arm(kas.new, 'createKey'), arm(kas.new, 'addNoteToKey'), arm(kas.old, 'terminateKey')]);
}

async function keysAt(ka: string): Promise<KaKey[]> {
  const res = await fetch(`${ka}/_reference/keys`);
  if (!res.ok) throw new Error(`the reference KA answered ${res.status} for its keys`);
  return (await res.json()) as KaKey[];
}

/**
 * What the KAs and the database say once the migration is over: every count a migration that
 * went wrong would move. Half-migrated is a license whose successor is installed while it is not
 * terminated, or whose key is still active at the old KA; stuck is anything of the migration
 * (migration, request, terminate operation, bulk item) not at its end.
 */
async function audit(db: Db, kas: { old: string; new: string }, ids: { oldConfiguration: number; jobId: number }) {
  const [oldKeys, newKeys] = await Promise.all([keysAt(kas.old), keysAt(kas.new)]);
  const oldLicenses = (await db('licenses')
    .where({ configuration_id: ids.oldConfiguration })
    .select('id', 'key_number', 'status', 'successor_license_id')) as Array<{
    id: number;
    key_number: string;
    status: string;
    successor_license_id: number | null;
  }>;
  const newLicenses = (await db('licenses')
    .whereNot({ configuration_id: ids.oldConfiguration })
    .select('id', 'key_number', 'status', 'predecessor_license_id')) as Array<{
    id: number;
    key_number: string;
    status: string;
    predecessor_license_id: number | null;
  }>;
  const oldAtKa = new Map(oldKeys.map((k) => [k.keyNumber, k]));
  const newAtKa = new Map(newKeys.map((k) => [k.keyNumber, k]));
  const successors = oldLicenses.filter((l) => l.successor_license_id !== null);
  const notes = new Map<string, number>();
  for (const k of newKeys) if (k.note) notes.set(k.note, (notes.get(k.note) ?? 0) + 1);
  const held = new Set(newLicenses.map((l) => l.key_number));
  return {
    oldKa: {
      keys: oldKeys.length,
      terminated: oldKeys.filter((k) => k.terminated).length,
      // Licenses replaced in Keyway whose old key still works at the old KA.
      replacedButActive: successors.filter((l) => oldAtKa.get(l.key_number)?.terminated !== true).length,
    },
    newKa: {
      keys: newKeys.length,
      terminated: newKeys.filter((k) => k.terminated).length,
      // Keys no Keyway license holds (a second key issued for one license), and notes on two keys.
      notHeldByKeyway: newKeys.filter((k) => !held.has(k.keyNumber)).length,
      notesOnTwoKeys: [...notes.values()].filter((n) => n > 1).length,
      // Migrated licenses whose key the new KA does not have.
      licensesWithoutKey: newLicenses.filter((l) => !newAtKa.has(l.key_number)).length,
    },
    keyway: {
      oldLicenses: await countsBy(db, 'licenses', 'status', { configuration_id: ids.oldConfiguration }),
      newLicenses: newLicenses.length,
      newLicensesInstalled: newLicenses.filter((l) => l.status === 'installed').length,
      newLicensesWithPredecessor: newLicenses.filter((l) => l.predecessor_license_id !== null).length,
      halfMigrated: successors.filter((l) => l.status !== 'terminated').length,
      migrations: await countsBy(db, 'license_migrations', 'state'),
      migrationRequests: await countsBy(db, 'license_requests', 'state', { source: 'migration' }),
      terminateOperations: await countsBy(db, 'license_operations', 'state', { cause_type: 'migration' }),
      bulkItems: await countsBy(db, 'bulk_job_items', 'state', { bulk_job_id: ids.jobId }),
    },
    // What the kill left to take over: keys whose issue answer was lost (looked up at the KA
    // instead of asked for again), bulk items run again, terminations settled by reading the key.
    takenOver: {
      newKeysBy: await keySources(db),
      // Items run again whose migration had started (the first run's outcome was never written).
      bulkItemsRunAgain: await count(
        db('bulk_job_items')
          .where({ bulk_job_id: ids.jobId })
          .andWhere('result', 'like', '%was started before%')
          .count({ n: '*' })
          .first(),
      ),
      oldKeysTerminatedBy: await terminateSources(db),
    },
  };
}

/** Rows per value of `how` in a JSON column. */
function byHow(texts: Array<string | null>): Record<string, number> {
  const by: Record<string, number> = {};
  for (const text of texts) {
    const how = String((JSON.parse(text ?? '{}') as { how?: string }).how);
    by[how] = (by[how] ?? 0) + 1;
  }
  return by;
}

/** How the migration requests came by their keys (`license_request.key_issued`): issued, found by our reference, claimed. */
async function keySources(db: Db): Promise<Record<string, number>> {
  const migrationRequests = db('license_requests').where({ source: 'migration' }).select(db.raw('cast(id as char)'));
  const data = await db('audit_events')
    .where({ action: 'license_request.key_issued', entity_type: 'license_request' })
    .whereIn('entity_id', migrationRequests)
    .pluck('data');
  return byHow(data as Array<string | null>);
}

/** How the old keys' terminate operations knew they were done: the KA's answer, or the key read after an answer was lost. */
async function terminateSources(db: Db): Promise<Record<string, number>> {
  return byHow(
    (await db('license_operations').where({ cause_type: 'migration' }).pluck('result')) as Array<string | null>,
  );
}

/**
 * Migration of N licenses between two reference KAs (issue 16) on MariaDB, with the workers in
 * processes of their own. Setup, not measured: one process pays N orders of a plan on the old
 * KA's configuration (keys made at the old KA, files installed) and makes the new KA's
 * configuration. Measured: from `POST /migrations` (a bulk job over the old configuration's tab,
 * `oldProduct → newProduct`) until every license is migrated: its key issued at the new KA,
 * fetched and installed, then the old key terminated. When `killAt` of the licenses are
 * migrated, the KAs hold their answers to the migration's calls for a while and one worker is
 * killed (`SIGKILL`) meanwhile, its calls in flight, and a new one started. Then every check of
 * `audit`.
 */
export async function runMigrationBench(options: MigrationBenchOptions) {
  const n = options.licenses;
  const database = await createBenchDatabase('keyway_bench_migration');
  let keepDatabase = false;
  const servers = await startReferenceServers({ kas: 2 });
  const [oldKa, newKa] = servers.kas as [string, string];
  const env = benchEnv(database);
  const setupConfig = loadConfig({ ...env, PORT: '0', KEYWAY_ADMIN_TOKEN: benchToken, KEYWAY_ROLE: 'all' });
  const setupKeyway = await startKeyway(setupConfig, createLogger(setupConfig.logLevel), { print: () => {} });
  let setupClosed: Promise<void> | undefined;
  const closeSetup = () => {
    setupClosed ??= setupKeyway.close();
    return setupClosed;
  };
  let api: Awaited<ReturnType<typeof startKeyway>> | undefined;
  const workers: Array<ReturnType<typeof spawnKeyways>> = [];
  const db = createDatabase(database.url);
  try {
    // Setup: the old KA's keys through the pipeline, as a provider's base would have them.
    const setupCall = apiCaller(setupKeyway.url as string);
    const plan = await createBenchPlan(
      setupCall,
      { ka: oldKa, target: servers.target },
      { product: oldProduct, ip: serverAddress(0) },
    );
    const oldConfiguration = plan.configurationId;
    // One plan per server address: each holds `licensesPerServer` licenses.
    const serverCount = Math.ceil(n / options.licensesPerServer);
    const planIds = [plan.planId];
    await pool(
      Array.from({ length: serverCount - 1 }, (_, i) => i + 1),
      concurrency,
      async (i) => {
        planIds[i] = await createServerPlan(setupCall, {
          code: `bench-${i}`,
          configurationId: oldConfiguration,
          product: oldProduct,
          target: servers.target,
          ip: serverAddress(i),
        });
      },
    );
    const target = await setupCall('POST', '/api/v1/ka-configurations', {
      name: 'Bench KA (new server)',
      plugin: 'parallels-ka',
      settings: { ...plan.settings, endpoint: newKa },
    });
    const setupStarted = performance.now();
    const orderIds = await placeOrders(setupCall, { ...plan, planId: planIds }, n, 'bench');
    await pool(orderIds, concurrency, async (id) => {
      await setupCall('POST', `/api/v1/orders/${id}/pay`, { paymentReference: `p-${id}` });
    });
    await waitInstalled(db, n);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    await closeSetup();
    const keysBefore = (await keysAt(oldKa)).length;
    if (keysBefore !== n) throw new Error(`setup: ${keysBefore} keys at the old KA for ${n} licenses`);

    // The api in this process (it only takes the migration's POST); the workers in their own.
    const apiConfig = loadConfig({ ...env, PORT: '0', KEYWAY_ADMIN_TOKEN: benchToken, KEYWAY_ROLE: 'api' });
    api = await startKeyway(apiConfig, createLogger(apiConfig.logLevel), { print: () => {} });
    const call = apiCaller(api.url as string);
    workers.push(spawnKeyways(options.workers, env, () => workerEnv));
    const body = {
      targetConfigurationId: target.id,
      productMap: { [oldProduct]: newProduct },
      filter: { configuration: oldConfiguration },
    };

    // The dry run: what staff see before confirming.
    const dryStarted = performance.now();
    const dry = (await call('POST', '/api/v1/migrations', { ...body, dryRun: true })) as {
      plan?: { toMigrate: number; skipped: Record<string, number> };
    };
    const dryRunSeconds = (performance.now() - dryStarted) / 1000;
    if (dry.plan?.toMigrate !== n) throw new Error(`the dry run plans ${JSON.stringify(dry.plan ?? dry)}`);

    const childCpu = (pids: Array<number | undefined>) => Promise.all(pids.map(cpuMsOf));
    // CPU from here on: the workers' start so far (they started before the dry run) is not the migration's.
    const [kaCpuBefore = 0, ...workerCpuBefore] = await childCpu([
      servers.pid,
      ...(workers[0]?.processes ?? []).map((p) => p.pid),
    ]);
    const started = performance.now();
    const run = (await call('POST', '/api/v1/migrations', { ...body, confirm: n, note: 'bench' })) as {
      job?: { id: number };
    };
    const createSeconds = (performance.now() - started) / 1000;
    if (!run.job) throw new Error(`the migration was refused: ${JSON.stringify(run)}`);
    const jobId = run.job.id;

    let state = await progress(db, jobId);
    let kill: Record<string, unknown> | undefined;
    let killedAt = 0;
    let killedCpuMs = 0;
    let jobFinishedSeconds: number | null = null;
    let completed = false;
    let stalled = false;
    let lastMove = { at: performance.now(), seen: '' };
    while (performance.now() - started < options.timeoutMs) {
      const victim = workers[0]?.processes[0];
      const died = workers
        .flatMap((w) => w.processes)
        .find((p) => p !== victim && (p.exitCode !== null || p.signalCode !== null));
      if (died) throw new Error(`a worker process exited on its own (${died.exitCode ?? died.signalCode})`);
      state = await progress(db, jobId);
      const seconds = (performance.now() - started) / 1000;
      if (jobFinishedSeconds === null && state.job.finished) jobFinishedSeconds = seconds;
      if (!kill && state.migrated >= options.killAt * n) {
        await slowAnswers({ old: oldKa, new: newKa }, slowAnswerMs, concurrency);
        await sleep(slowAnswerMs / 2);
        killedCpuMs = await cpuMsOf(victim?.pid);
        victim?.kill('SIGKILL');
        killedAt = Date.now();
        workers.push(spawnKeyways(1, env, () => workerEnv));
        kill = { afterSeconds: Number(seconds.toFixed(1)), migrations: state.migrations, bulkJob: state.job };
      }
      if (state.migrated + state.failed >= n && state.job.finished) {
        completed = true;
        break;
      }
      // Nothing moved for a while (a request gone to staff keeps its migration waiting): stop waiting.
      const seen = JSON.stringify(state);
      if (seen !== lastMove.seen) lastMove = { at: performance.now(), seen };
      else if (performance.now() - lastMove.at > stallMs) {
        stalled = true;
        break;
      }
      await sleep(500);
    }
    const seconds = (performance.now() - started) / 1000;
    const living = workers.flatMap((w) => w.processes).filter((p) => p.exitCode === null && p.signalCode === null);
    const [kaCpuMs = 0, ...workerCpuMs] = await childCpu([servers.pid, ...living.map((p) => p.pid)]);
    const workerPeakRssMiB = await Promise.all(living.map((p) => peakRssMiBOf(p.pid)));
    const finished = await db('license_migrations').where({ state: 'migrated' }).max({ last: 'finished_at' }).first();

    const found = await audit(db, { old: oldKa, new: newKa }, { oldConfiguration, jobId });
    const migrated = found.keyway.migrations.migrated ?? 0;
    const short = (counts: Record<string, number>, end: string) =>
      Object.entries(counts).reduce((a, [state, c]) => a + (state === end ? 0 : c), 0);
    // Anything of the migration short of its end.
    const stuck = {
      migrations: n - migrated,
      requests: short(found.keyway.migrationRequests, 'installed'),
      terminateOperations: short(found.keyway.terminateOperations, 'succeeded'),
      bulkItems: short(found.keyway.bulkItems, 'done'),
    };
    const checks = {
      completed,
      workerKilledMidRun: kill !== undefined,
      keysAtNewKaEqualMigrated: found.newKa.keys === migrated && found.newKa.terminated === 0,
      oldKeysTerminatedEqualMigrated: found.oldKa.terminated === migrated && found.oldKa.replacedButActive === 0,
      everyLicenseMigrated: migrated === n,
      noDuplicateKey:
        found.newKa.notHeldByKeyway === 0 && found.newKa.notesOnTwoKeys === 0 && found.newKa.licensesWithoutKey === 0,
      nothingHalfMigrated: found.keyway.halfMigrated === 0 && found.keyway.newLicensesInstalled === migrated,
      nothingStuck: Object.values(stuck).every((c) => c === 0),
    };
    const ok = Object.values(checks).every(Boolean);
    // A failed check is a bug to look into: keep the database for it.
    if (!ok) keepDatabase = true;
    const perMigration = (ms: number) => Number((ms / Math.max(1, migrated)).toFixed(1));
    return {
      ok,
      checks,
      licenses: n,
      licensesPerServer: options.licensesPerServer,
      workerProcesses: options.workers,
      concurrency,
      setup: { seconds: Number(setupSeconds.toFixed(1)), licensesPerSecond: Math.round(n / setupSeconds) },
      dryRunSeconds: Number(dryRunSeconds.toFixed(1)),
      bulkJobCreateSeconds: Number(createSeconds.toFixed(1)),
      bulkJobFinishedAfterSeconds: jobFinishedSeconds === null ? null : Number(jobFinishedSeconds.toFixed(1)),
      ...(stalled ? { stalledFor: stallMs / 1000 } : {}),
      migrationSeconds: Number(seconds.toFixed(1)),
      migratedPerSecond: Number((migrated / seconds).toFixed(1)),
      kill: {
        ...kill,
        // The tail after the kill: the dead worker's leases lapse, the reconciler hands its work on.
        lastMigratedAfterKillSeconds:
          kill && finished?.last ? Number(((Number(finished.last) - killedAt) / 1000).toFixed(1)) : null,
        leaseMs: Number(workerEnv.KEYWAY_LEASE_MS),
        kaAnswersHeldMs: slowAnswerMs,
      },
      found,
      stuck,
      cpuMsPerMigration: {
        workers: perMigration(
          [...workerCpuMs, killedCpuMs].reduce((a, b) => a + b, 0) - workerCpuBefore.reduce((a, b) => a + b, 0),
        ),
        referenceKasAndInstallTarget: perMigration(kaCpuMs - kaCpuBefore),
      },
      workerPeakRssMiB,
      ...(keepDatabase ? { keptDatabase: database.name } : {}),
    };
  } finally {
    for (const w of workers) await w.stop();
    await api?.close();
    await closeSetup();
    await db.destroy();
    servers.close();
    await database.finish(keepDatabase);
  }
}
