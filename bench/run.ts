/**
 * `npm run bench`: every benchmark, printed as JSON. Needs MariaDB and Redis
 * (KEYWAY_BENCH_MYSQL_URL, KEYWAY_BENCH_REDIS_URL; defaults to the local servers).
 * `npm run bench -- pipeline`, `-- renewals`, `-- list`, `-- usage`, `-- bulk`, `-- sync`, `-- migration` or
 * `-- xml` runs one of them (`xml` needs no servers). Exits non-zero when a bench's own check fails (a key
 * renewed twice, a drifted license the sync missed, a license left half-migrated).
 */
import { runBulkBench } from './bulk.js';
import { runLicenseListBench } from './license-list.js';
import { runMigrationBench } from './migration.js';
import { runPipelineBench } from './pipeline.js';
import { runRenewalsBench } from './renewals.js';
import { runSyncBench } from './sync.js';
import { runUsageBench } from './usage.js';
import { runXmlLimitsBench } from './xml-limits.js';

const which = process.argv[2] ?? 'all';
if (which === 'all' || which === 'pipeline') {
  const result = await runPipelineBench({
    orders: Number(process.env.BENCH_ORDERS ?? 2000),
    workers: Number(process.env.BENCH_WORKERS ?? 0),
  });
  console.log(JSON.stringify({ pipeline: result }, null, 2));
}
if (which === 'all' || which === 'renewals') {
  const result = await runRenewalsBench({
    subscriptions: Number(process.env.BENCH_SUBSCRIPTIONS ?? 10_000),
    workers: 2,
    schedulerEveryMs: Number(process.env.BENCH_SCHEDULER_EVERY_MS ?? 1000),
    timeoutMs: Number(process.env.BENCH_TIMEOUT_MS ?? 30 * 60_000),
  });
  console.log(JSON.stringify({ renewals: result }, null, 2));
  if (!result.ok) process.exitCode = 1;
}
if (which === 'all' || which === 'list') {
  const result = await runLicenseListBench({
    licenses: Number(process.env.BENCH_LICENSES ?? 1_000_000),
    requests: Number(process.env.BENCH_REQUESTS ?? 200),
  });
  console.log(JSON.stringify({ licenseList: result }, null, 2));
}
if (which === 'all' || which === 'usage') {
  const result = await runUsageBench({ licenses: Number(process.env.BENCH_USAGE_LICENSES ?? 100_000) });
  console.log(JSON.stringify({ usage: result }, null, 2));
}
if (which === 'all' || which === 'bulk') {
  const result = await runBulkBench({
    licenses: Number(process.env.BENCH_LICENSES ?? 100_000),
    runMs: Number(process.env.BENCH_BULK_RUN_MS ?? 10_000),
  });
  console.log(JSON.stringify({ bulk: result }, null, 2));
  if (!result.ok) process.exitCode = 1;
}
if (which === 'all' || which === 'sync') {
  const result = await runSyncBench({
    licenses: Number(process.env.BENCH_SYNC_LICENSES ?? 100_000),
    tabs: Number(process.env.BENCH_SYNC_TABS ?? 4),
    callsPerSecond: Number(process.env.BENCH_SYNC_CALLS_PER_SECOND ?? 150),
    workers: Number(process.env.BENCH_SYNC_WORKERS ?? 1),
    schedulerEveryMs: Number(process.env.BENCH_SCHEDULER_EVERY_MS ?? 1000),
    timeoutMs: Number(process.env.BENCH_TIMEOUT_MS ?? 30 * 60_000),
    workerNodeArgs: process.env.BENCH_SYNC_WORKER_NODE_ARGS?.split(' ').filter(Boolean),
  });
  console.log(JSON.stringify({ sync: result }, null, 2));
  if (!result.ok) process.exitCode = 1;
}
if (which === 'all' || which === 'migration') {
  const result = await runMigrationBench({
    licenses: Number(process.env.BENCH_MIGRATION_LICENSES ?? 10_000),
    licensesPerServer: Number(process.env.BENCH_MIGRATION_LICENSES_PER_SERVER ?? 1),
    workers: 2,
    killAt: Number(process.env.BENCH_MIGRATION_KILL_AT ?? 0.4),
    timeoutMs: Number(process.env.BENCH_TIMEOUT_MS ?? 30 * 60_000),
  });
  console.log(JSON.stringify({ migration: result }, null, 2));
  if (!result.ok) process.exitCode = 1;
}
if (which === 'all' || which === 'xml') {
  console.log(JSON.stringify({ xmlLimits: await runXmlLimitsBench() }, null, 2));
}
process.exit(process.exitCode ?? 0);
