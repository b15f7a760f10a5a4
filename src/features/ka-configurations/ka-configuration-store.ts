import type { DbOrTx } from '../../infra/db/database.js';
import { type GuardedMove, knexMove } from '../audit/transition.js';
import { fromJson, toBool, toIso, toJson } from '../../infra/db/rows.js';
import type { KaProduct } from '../../plugin-sdk/ka-adapter.js';
import type { SettingsValues } from '../../plugin-sdk/settings.js';

export type KaConfigurationStatus = 'fetching_products' | 'configured' | 'failing';

/**
 * A configuration as stored: secret settings sealed (`settings-values.ts`), the rest plain.
 * Never answer this from the API; only `adapterFor` opens the secrets.
 */
export interface StoredKaConfiguration {
  id: number;
  name: string;
  pluginName: string;
  pluginStatus: 'available' | 'missing';
  settings: SettingsValues;
  enabled: boolean;
  status: KaConfigurationStatus;
  products: KaProduct[];
  allowedProducts: string[] | null;
  /** Key reads per second a worker's scheduled sync sends this KA (null: the default, 5). */
  syncCallsPerSecond: number | null;
  lastError: Record<string, unknown> | null;
  productsFetchedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: number;
  name: string;
  plugin_name: string;
  plugin_status: string | null;
  settings: string;
  enabled: number | boolean;
  status: KaConfigurationStatus;
  products: string | null;
  allowed_products: string | null;
  sync_calls_per_second?: number | null;
  last_error: string | null;
  products_fetched_at: number | null;
  created_at: number;
  updated_at: number;
}

function toStored(row: Row): StoredKaConfiguration {
  return {
    id: Number(row.id),
    name: row.name,
    pluginName: row.plugin_name,
    pluginStatus: row.plugin_status === 'available' ? 'available' : 'missing',
    settings: fromJson(row.settings, {}),
    enabled: toBool(row.enabled),
    status: row.status,
    products: fromJson(row.products, []),
    allowedProducts: fromJson(row.allowed_products, null),
    syncCallsPerSecond:
      row.sync_calls_per_second === null || row.sync_calls_per_second === undefined
        ? null
        : Number(row.sync_calls_per_second),
    lastError: fromJson(row.last_error, null),
    productsFetchedAt: toIso(row.products_fetched_at),
    createdAt: toIso(row.created_at) ?? '',
    updatedAt: toIso(row.updated_at) ?? '',
  };
}

export interface KaConfigurationChanges {
  name?: string;
  settings?: SettingsValues;
  enabled?: boolean;
  allowedProducts?: string[] | null;
  syncCallsPerSecond?: number | null;
  status?: KaConfigurationStatus;
  products?: KaProduct[];
  lastError?: Record<string, unknown> | null;
  productsFetchedAt?: number;
}

export class KaConfigurationStore {
  private select(db: DbOrTx) {
    return db<Row>('ka_configurations')
      .leftJoin('ka_plugins', 'ka_plugins.name', 'ka_configurations.plugin_name')
      .select('ka_configurations.*', 'ka_plugins.status as plugin_status');
  }

  async insert(
    db: DbOrTx,
    input: {
      name: string;
      pluginName: string;
      settings: SettingsValues;
      enabled: boolean;
      allowedProducts: string[] | null;
      syncCallsPerSecond?: number | null;
    },
  ): Promise<number> {
    const now = Date.now();
    const [id] = await db('ka_configurations').insert({
      name: input.name,
      plugin_name: input.pluginName,
      settings: toJson(input.settings),
      enabled: input.enabled,
      status: 'fetching_products',
      allowed_products: toJson(input.allowedProducts),
      sync_calls_per_second: input.syncCallsPerSecond ?? null,
      created_at: now,
      updated_at: now,
    });
    return Number(id);
  }

  async update(db: DbOrTx, id: number, changes: KaConfigurationChanges): Promise<void> {
    const row: Record<string, unknown> = { updated_at: Date.now() };
    if (changes.name !== undefined) row.name = changes.name;
    if (changes.settings !== undefined) row.settings = toJson(changes.settings);
    if (changes.enabled !== undefined) row.enabled = changes.enabled;
    if (changes.allowedProducts !== undefined) row.allowed_products = toJson(changes.allowedProducts);
    if (changes.syncCallsPerSecond !== undefined) row.sync_calls_per_second = changes.syncCallsPerSecond;
    if (changes.status !== undefined) row.status = changes.status;
    if (changes.products !== undefined) row.products = toJson(changes.products);
    if (changes.lastError !== undefined) row.last_error = toJson(changes.lastError);
    if (changes.productsFetchedAt !== undefined) row.products_fetched_at = changes.productsFetchedAt;
    await db('ka_configurations').where({ id }).update(row);
  }

  /** The move of a configuration whose product fetch the queue gave up on: `fetching_products` → `failing`. */
  giveUpFetch(id: number): GuardedMove {
    return knexMove(
      'ka_configuration',
      'ka_configurations',
      id,
      'fetching_products',
      'failing',
      () => ({ updated_at: Date.now() }),
      {
        column: 'status',
      },
    );
  }

  async get(db: DbOrTx, id: number): Promise<StoredKaConfiguration | undefined> {
    const row = await this.select(db).where('ka_configurations.id', id).first();
    return row ? toStored(row) : undefined;
  }

  /** Which of `ids` are configurations. */
  async existingIds(db: DbOrTx, ids: number[]): Promise<Set<number>> {
    return new Set((await db('ka_configurations').whereIn('id', ids).pluck('id')).map(Number));
  }

  async getByName(db: DbOrTx, name: string): Promise<StoredKaConfiguration | undefined> {
    const row = await this.select(db).where('ka_configurations.name', name).first();
    return row ? toStored(row) : undefined;
  }

  async list(db: DbOrTx): Promise<StoredKaConfiguration[]> {
    return (await this.select(db).orderBy('ka_configurations.id')).map(toStored);
  }
}
