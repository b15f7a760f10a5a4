/**
 * `npm run bench`: every benchmark, printed as JSON. Needs MariaDB and Redis
 * (KEYWAY_BENCH_MYSQL_URL, KEYWAY_BENCH_REDIS_URL; defaults to the local servers).
 * `npm run bench -- pipeline`, `-- list`, `-- usage` or `-- xml` runs one of them (`xml` needs no servers).
 */
import { runLicenseListBench } from './license-list.js';
import { runPipelineBench } from './pipeline.js';
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
if (which === 'all' || which === 'xml') {
  console.log(JSON.stringify({ xmlLimits: await runXmlLimitsBench() }, null, 2));
}
process.exit(0);
