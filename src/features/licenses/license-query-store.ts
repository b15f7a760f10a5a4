import type { Knex } from 'knex';
import { type DbOrTx, dialectOf } from '../../infra/db/database.js';
import type { PhaseFilter, TermEndRange } from './license-phase.js';
import { whereTermEndIn } from './license-phase-store.js';
import { type LicenseRow, toLicenseSummary } from './license-store.js';
import type { LicenseStatus, LicenseSummary } from './license.js';
import { termEndColumn } from './license-term.js';
import type { SyncState } from './license-sync-state.js';

export const licenseStatuses: LicenseStatus[] = ['issued', 'files_retrieved', 'installed', 'suspended', 'terminated'];

export interface LicenseFilter {
  configurationId?: number;
  status?: LicenseStatus;
  customerId?: number;
  subscriptionId?: number;
  /** Key numbers starting with this (case as stored; key numbers are upper case). */
  keyNumber?: string;
  /** Only licenses expiring before this instant. */
  expiresBeforeMs?: number;
  /** Only licenses in this phase now (the service turns it into `termEnd`, leaving out terminated keys). */
  phase?: PhaseFilter;
  /** Only licenses not terminated whose term ends in this range (a phase at some instant). */
  termEnd?: TermEndRange;
  /** Only licenses whose last sync left them in this state. */
  syncState?: SyncState;
  /** Keyset: newest first, ids below this. */
  beforeId?: number;
  limit: number;
}

/** The expiring and in-grace licenses of one configuration, for its tab. */
export interface PhaseCountRow {
  configurationId: number;
  expiring: number;
  grace: number;
}

/** `!` escapes LIKE wildcards in the same way on SQLite and MySQL. */
function likePrefix(value: string): string {
  return `${value.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * MariaDB reads `configuration_id = ? AND id < ? ORDER BY id DESC` as a `ref` on the first
 * index column and walks the whole tab back from its newest row (150 ms deep in a 200,000
 * license tab); with the index named it does a `range` on both columns (2 ms). SQLite's
 * planner gets this right, so the hint is MySQL's only.
 */
function licensesTable(db: DbOrTx, filter: LicenseFilter): string | Knex.Raw {
  // A phase is a range of term ends: the `(configuration_id, expires_at, id)` index serves it.
  if (dialectOf(db) !== 'mysql' || filter.configurationId === undefined || filter.termEnd) return 'licenses';
  const index = filter.syncState
    ? 'licenses_configuration_sync_state_index'
    : filter.subscriptionId !== undefined
      ? 'licenses_configuration_subscription_id_index'
      : filter.customerId !== undefined
        ? 'licenses_configuration_customer_id_index'
        : filter.status
          ? 'licenses_configuration_id_status_id_index'
          : 'licenses_configuration_id_id_index';
  return db.raw('?? FORCE INDEX (??)', ['licenses', index]);
}

/**
 * Read side of licenses for the tabs and lists. Lists are keyset pages newest first; with a
 * configuration they walk the (configuration_id, id) indexes of migration 002.
 */
export class LicenseQueryStore {
  async list(db: DbOrTx, filter: LicenseFilter): Promise<LicenseSummary[]> {
    const q = db<LicenseRow>(licensesTable(db, filter)).orderBy('id', 'desc').limit(filter.limit);
    if (filter.configurationId !== undefined) q.where('configuration_id', filter.configurationId);
    if (filter.status) q.where('status', filter.status);
    if (filter.customerId !== undefined) q.where('customer_id', filter.customerId);
    if (filter.subscriptionId !== undefined) q.where('subscription_id', filter.subscriptionId);
    if (filter.keyNumber) q.whereRaw("key_number like ? escape '!'", [likePrefix(filter.keyNumber)]);
    if (filter.expiresBeforeMs !== undefined) q.where('expires_at', '<', filter.expiresBeforeMs);
    if (filter.syncState) q.where('sync_state', filter.syncState);
    if (filter.termEnd) {
      q.whereNot('status', 'terminated');
      whereTermEndIn(q, filter.termEnd);
    }
    if (filter.beforeId !== undefined) q.where('id', '<', filter.beforeId);
    return (await q).map(toLicenseSummary);
  }

  /**
   * Live licenses per configuration whose term ends in `expiring` (after `now`, up to the
   * warning's end) or in `grace` (after the grace's start, up to `now`): one range on the
   * `expires_at` index over the few weeks around now, whatever the number of licenses.
   */
  async phaseCountsByConfiguration(
    db: DbOrTx,
    at: { now: number; graceFrom: number; warnUntil: number },
  ): Promise<PhaseCountRow[]> {
    const rows = (await db('licenses')
      .select('configuration_id')
      .select(
        db.raw('sum(case when ?? > ? then 1 else 0 end) as expiring', [termEndColumn, at.now]),
        db.raw('sum(case when ?? <= ? then 1 else 0 end) as grace', [termEndColumn, at.now]),
      )
      .where(termEndColumn, '>', at.graceFrom)
      .andWhere(termEndColumn, '<=', at.warnUntil)
      .whereNot('status', 'terminated')
      .groupBy('configuration_id')) as Array<{ configuration_id: number; expiring: unknown; grace: unknown }>;
    return rows.map((r) => ({
      configurationId: Number(r.configuration_id),
      expiring: Number(r.expiring ?? 0),
      grace: Number(r.grace ?? 0),
    }));
  }

  /** Licenses not in sync with their KA per configuration, for the tabs: a range on the sync state index. */
  async notInSyncByConfiguration(db: DbOrTx): Promise<Map<number, number>> {
    const rows = (await db('licenses')
      .select('configuration_id')
      .count({ n: '*' })
      .where('sync_state', 'not_in_sync')
      .groupBy('configuration_id')) as Array<{ configuration_id: number; n: number | string }>;
    return new Map(rows.map((r) => [Number(r.configuration_id), Number(r.n)]));
  }

  /** License counts per configuration and status, for the tabs. */
  async countsByConfiguration(
    db: DbOrTx,
  ): Promise<Array<{ configurationId: number; status: LicenseStatus; count: number }>> {
    const rows = (await db('licenses')
      .select('configuration_id', 'status')
      .count({ n: '*' })
      .groupBy('configuration_id', 'status')) as Array<{
      configuration_id: number;
      status: string;
      n: number | string;
    }>;
    return rows.map((r) => ({
      configurationId: Number(r.configuration_id),
      status: r.status as LicenseStatus,
      count: Number(r.n),
    }));
  }
}
