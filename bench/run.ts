/**
 * `npm run bench`: every benchmark, printed as a table. Needs MariaDB and Redis
 * (KEYWAY_BENCH_MYSQL_URL, KEYWAY_BENCH_REDIS_URL; defaults to the local servers).
 */
import { runPipelineBench } from './pipeline.js';

const orders = Number(process.env.BENCH_ORDERS ?? 2000);
const result = await runPipelineBench({ orders });
console.log(JSON.stringify(result, null, 2));
process.exit(0);
