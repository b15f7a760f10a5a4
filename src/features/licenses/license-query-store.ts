import type { Knex } from 'knex';
import { type DbOrTx, dialectOf } from '../../infra/db/database.js';
import { type LicenseRow, toLicenseSummary } from './license-store.js';
import type { LicenseStatus, LicenseSummary } from './license.js';

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
  /** Keyset: newest first, ids below this. */
  beforeId?: number;
  limit: number;
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
  if (dialectOf(db) !== 'mysql' || filter.configurationId === undefined) return 'licenses';
  const index =
    filter.subscriptionId !== undefined
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
    if (filter.beforeId !== undefined) q.where('id', '<', filter.beforeId);
    return (await q).map(toLicenseSummary);
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
