import type { DbOrTx } from '../infra/db/database.js';
import { type ExpiryCounts, expiryCounts } from './license-expiry.js';

const dayMs = 24 * 60 * 60_000;

export interface ConfigurationCount {
  configurationId: number;
  name: string;
  count: number;
}

/** What the console's home page shows: work for people, today's results, trouble and what expires. */
export interface HomeSummary {
  /** Requests waiting for a person (`needs_manual`), by KA configuration, most first. */
  needsAttention: ConfigurationCount[];
  /** Licenses installed since midnight UTC. */
  installedToday: number;
  /** Failed pipeline steps (audit events with an error) over the last 24 hours, by KA configuration. */
  failuresLast24h: ConfigurationCount[];
  expiry: ExpiryCounts;
  /** Midnight UTC of today, as ISO, for "since". */
  todayStartIso: string;
}

type CountRow = { configuration_id: number | string; name: string | null; n: number | string };

function toCounts(rows: CountRow[]): ConfigurationCount[] {
  return rows
    .map((r) => ({
      configurationId: Number(r.configuration_id),
      name: r.name ?? `#${r.configuration_id}`,
      count: Number(r.n),
    }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

async function needsAttention(db: DbOrTx): Promise<ConfigurationCount[]> {
  const rows = (await db('license_requests as r')
    .leftJoin('ka_configurations as c', 'c.id', 'r.configuration_id')
    .where('r.state', 'needs_manual')
    .groupBy('r.configuration_id', 'c.name')
    .select('r.configuration_id', 'c.name')
    .count({ n: '*' })) as CountRow[];
  return toCounts(rows);
}

async function installedSince(db: DbOrTx, sinceMs: number): Promise<number> {
  const row = (await db('licenses').where('installed_at', '>=', sinceMs).count({ n: '*' }).first()) as
    | { n: number | string }
    | undefined;
  return Number(row?.n ?? 0);
}

/**
 * Step failures recorded on license requests since `sinceMs`, by the request's configuration.
 * The audit row names the request by its id as text; both engines compare an integer with text
 * as numbers (no collation involved), and the `at` index bounds the scan to the window.
 */
async function failuresSince(db: DbOrTx, sinceMs: number): Promise<ConfigurationCount[]> {
  const rows = (await db('audit_events as e')
    .join('license_requests as r', 'r.id', 'e.entity_id')
    .leftJoin('ka_configurations as c', 'c.id', 'r.configuration_id')
    .where('e.at', '>=', sinceMs)
    .where('e.entity_type', 'license_request')
    .whereNotNull('e.error')
    .groupBy('r.configuration_id', 'c.name')
    .select('r.configuration_id', 'c.name')
    .count({ n: '*' })) as CountRow[];
  return toCounts(rows);
}

/** The home page's numbers at `nowMs`: a handful of grouped queries, each over an index. */
export async function homeSummary(db: DbOrTx, nowMs: number): Promise<HomeSummary> {
  const todayStart = Math.floor(nowMs / dayMs) * dayMs;
  const [attention, installedToday, failures, expiry] = await Promise.all([
    needsAttention(db),
    installedSince(db, todayStart),
    failuresSince(db, nowMs - dayMs),
    expiryCounts(db, nowMs),
  ]);
  return {
    needsAttention: attention,
    installedToday,
    failuresLast24h: failures,
    expiry,
    todayStartIso: new Date(todayStart).toISOString(),
  };
}
