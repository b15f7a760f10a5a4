import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/config.js';
import { AuditStore } from '../src/features/audit/audit-store.js';
import { MonthlyReportPass } from '../src/features/usage/monthly-report-pass.js';
import { UsageReportStore } from '../src/features/usage/usage-report-store.js';
import { createDatabase } from '../src/infra/db/database.js';
import { createLogger } from '../src/infra/log/logger.js';
import { startKeyway } from '../src/server.js';
import { mysqlUrlOf } from './bench-kit.js';
import { seed } from './license-list.js';

const token = 'kw_bench_admin_token_0123456789abcdef';
const MONTH = '2030-01';

/** `licenses` watched licenses with a record on each of the month's 31 days (about 1 in 17 missing). */
async function seedUsage(dbUrl: string, licenses: number): Promise<void> {
  await seed(dbUrl, licenses, 5);
  const db = createDatabase(dbUrl);
  try {
    const now = Date.now();
    const rows = await db('licenses').select('id', 'configuration_id', 'key_number', 'product').orderBy('id');
    const batch = 2_000;
    for (let start = 0; start < rows.length; start += batch) {
      const slice = rows.slice(start, start + batch);
      await db('usage_watch').insert(
        slice.map((l, i) => ({
          license_id: l.id,
          configuration_id: l.configuration_id,
          customer_id: null,
          key_number: l.key_number,
          product: l.product,
          saas: (start + i) % 2 === 0,
          usage_quota: 10,
          first_day: `${MONTH}-01`,
          last_report_at: now,
          last_peak: 5,
          updated_at: now,
        })),
      );
    }
    // The 31 days of every license in one statement (MariaDB), a few days missing here and there.
    const days = Array.from({ length: 31 }, (_, i) => `SELECT ${i + 1} AS n`).join(' UNION ALL ');
    await db.raw(
      `INSERT INTO usage_records (license_id, configuration_id, day, peak, installation_id, last_report_at, source)
       SELECT l.id, l.configuration_id, CONCAT(?, LPAD(d.n, 2, '0')), (l.id * 7 + d.n) % 13, 'srv', ?, 'pull'
       FROM licenses l CROSS JOIN (${days}) d WHERE (l.id + d.n) % 17 <> 0`,
      [`${MONTH}-`, now],
    );
  } finally {
    await db.destroy();
  }
}

/**
 * A month's usage report at scale (issue 17): `licenses` × 31 days of records on MariaDB. Times
 * the build (set-based batches: the process's memory must stay flat, so its peak RSS growth is
 * reported) and the first byte of the streamed CSV through the HTTP API.
 */
export async function runUsageBench(options: { licenses: number }) {
  const dbName = `keyway_bench_usage_${Date.now().toString(36)}`;
  const admin = createDatabase(mysqlUrlOf(''));
  await admin.raw(`CREATE DATABASE \`${dbName}\``);
  const dbUrl = mysqlUrlOf(dbName);
  try {
    const seedStart = performance.now();
    await seedUsage(dbUrl, options.licenses);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const db = createDatabase(dbUrl);
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    const buildStart = performance.now();
    const built = await new MonthlyReportPass({ db, reports: new UsageReportStore(), audit: new AuditStore() }).build(
      MONTH,
      Date.now(),
    );
    const buildSeconds = (performance.now() - buildStart) / 1000;
    clearInterval(sampler);
    await db.destroy();

    const config = loadConfig({
      PORT: '0',
      KEYWAY_DB_URL: dbUrl,
      KEYWAY_ADMIN_TOKEN: token,
      KEYWAY_LOG_LEVEL: 'silent',
      KEYWAY_DEMO: 'false',
      KEYWAY_ROLE: 'api',
      KEYWAY_QUEUE_PREFIX: dbName,
      KEYWAY_SECRET_KEY: randomBytes(32).toString('base64'),
    });
    const keyway = await startKeyway(config, createLogger('silent'), { print: () => {} });
    try {
      const firstBytes: number[] = [];
      let totalMs = 0;
      let bytes = 0;
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const res = await fetch(`${keyway.url}/api/v1/usage-reports?month=${MONTH}&format=csv`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (res.status !== 200 || !res.body) throw new Error(`the CSV answered ${res.status}`);
        const reader = res.body.getReader();
        let first = true;
        bytes = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (first) {
            firstBytes.push(performance.now() - started);
            first = false;
          }
          if (done) break;
          bytes += value.byteLength;
        }
        totalMs = performance.now() - started;
      }
      const sorted = [...firstBytes].sort((a, b) => a - b);
      return {
        licenses: options.licenses,
        records: `${options.licenses} × 31 days (about 1 in 17 missing)`,
        seedSeconds: Math.round(seedSeconds),
        reportRows: built?.rows,
        buildSeconds: Number(buildSeconds.toFixed(1)),
        buildTargetSeconds: 60,
        buildRssGrowthMb: Math.round((rssPeak - rssBefore) / 1e6),
        csvFirstByteMs: { p50: Number(sorted[2]?.toFixed(1)), max: Number(sorted[4]?.toFixed(1)), target: 200 },
        csvWholeMs: Math.round(totalMs),
        csvBytes: bytes,
      };
    } finally {
      await keyway.close();
    }
  } finally {
    await admin.raw(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.destroy();
  }
}
