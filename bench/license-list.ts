import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/config.js';
import { createDatabase } from '../src/infra/db/database.js';
import { migrateLatest } from '../src/infra/db/migrator.js';
import { createLogger } from '../src/infra/log/logger.js';
import { encodeCursor } from '../src/http/pagination.js';
import { startKeyway } from '../src/server.js';
import { mysqlUrlOf } from './bench-kit.js';

const token = 'kw_bench_admin_token_0123456789abcdef';

function percentile(sorted: number[], p: number): number {
  return Number((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN).toFixed(1));
}

/** Fills a fresh MariaDB database with `total` licenses spread over five configurations. */
export async function seed(dbUrl: string, total: number, configurations: number): Promise<number[]> {
  const db = createDatabase(dbUrl);
  try {
    await migrateLatest(db);
    const now = Date.now();
    await db('ka_plugins').insert({
      name: 'bench-ka',
      display_name: 'Bench KA',
      version: '1.0.0',
      status: 'available',
      definition: '{}',
      created_at: now,
      updated_at: now,
    });
    const ids: number[] = [];
    for (let c = 1; c <= configurations; c++) {
      const [id] = await db('ka_configurations').insert({
        name: `Tab ${c}`,
        plugin_name: 'bench-ka',
        settings: '{}',
        enabled: true,
        status: 'configured',
        created_at: now,
        updated_at: now,
      });
      ids.push(Number(id));
    }
    const statuses = ['installed', 'installed', 'installed', 'files_retrieved', 'terminated'];
    const batch = 5_000;
    for (let start = 0; start < total; start += batch) {
      const rows = [];
      for (let i = start; i < Math.min(total, start + batch); i++) {
        rows.push({
          configuration_id: ids[i % configurations],
          key_number: `PLSK.${String(i).padStart(8, '0')}`,
          product: 'PLESK-12-WEB-HOST',
          features: '[]',
          additional_key_numbers: '[]',
          status: statuses[i % statuses.length],
          source: 'online',
          expires_at: now + (i % 730) * 86_400_000,
          installed_at: now,
          created_at: now,
          updated_at: now,
        });
      }
      await db('licenses').insert(rows);
    }
    return ids;
  } finally {
    await db.destroy();
  }
}

/**
 * The license list of each tab at 1,000,000 licenses: the first page and a page deep in the
 * list (keyset cursor half way down), timed through the HTTP API.
 */
export async function runLicenseListBench(options: { licenses: number; requests: number }) {
  const dbName = `keyway_bench_list_${Date.now().toString(36)}`;
  const admin = createDatabase(mysqlUrlOf(''));
  await admin.raw(`CREATE DATABASE \`${dbName}\``);
  const dbUrl = mysqlUrlOf(dbName);
  try {
    const seedStart = performance.now();
    const tabs = await seed(dbUrl, options.licenses, 5);
    const seedSeconds = (performance.now() - seedStart) / 1000;
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
    const time = async (path: string) => {
      const started = performance.now();
      const res = await fetch(`${keyway.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      return performance.now() - started;
    };
    try {
      const first: number[] = [];
      const deep: number[] = [];
      const tabCounts: number[] = [];
      // The first count is taken afresh; later ones reuse it for a few seconds (see TabCounts).
      const freshCountMs = await time('/api/v1/license-tabs');
      for (let i = 0; i < options.requests; i++) {
        const tab = tabs[i % tabs.length];
        first.push(await time(`/api/v1/licenses?configuration=${tab}&limit=50`));
        deep.push(
          await time(
            `/api/v1/licenses?configuration=${tab}&limit=50&cursor=${encodeCursor([Math.floor(options.licenses / 2) + i])}`,
          ),
        );
        if (i % 10 === 0) tabCounts.push(await time('/api/v1/license-tabs'));
      }
      const sort = (a: number[]) => [...a].sort((x, y) => x - y);
      return {
        licenses: options.licenses,
        tabs: tabs.length,
        seedSeconds: Math.round(seedSeconds),
        firstPageMs: { p50: percentile(sort(first), 50), p99: percentile(sort(first), 99) },
        deepPageMs: { p50: percentile(sort(deep), 50), p99: percentile(sort(deep), 99) },
        tabCountsFreshMs: Math.round(freshCountMs),
        tabCountsMs: { p50: percentile(sort(tabCounts), 50), p99: percentile(sort(tabCounts), 99) },
      };
    } finally {
      await keyway.close();
    }
  } finally {
    await admin.raw(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.destroy();
  }
}
