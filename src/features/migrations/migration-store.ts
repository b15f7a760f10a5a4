import type { DbOrTx } from '../../infra/db/database.js';
import { clip } from '../../infra/db/bounded-text.js';
import { fromJson, toIso, toJson } from '../../infra/db/rows.js';
import type { Actor } from '../../kernel/actor.js';
import { GuardedMove } from '../audit/transition.js';
import { type LicenseMigration, type MigrationState, openMigrationStates } from './license-migration.js';

interface MigrationRow {
  id: number;
  license_id: number;
  open_license_id: number | null;
  target_configuration_id: number;
  target_product: string;
  quantity: number;
  period_months: number | null;
  state: MigrationState;
  at_renewal: number | boolean;
  request_id: number | null;
  new_license_id: number | null;
  terminate_operation_id: number | null;
  bulk_job_id: number | null;
  bulk_item_id: number | null;
  actor: string;
  reason: string | null;
  created_at: number | string;
  updated_at: number | string;
  finished_at: number | string | null;
}

const idOrNull = (v: number | null) => (v === null ? null : Number(v));

function toMigration(row: MigrationRow): LicenseMigration {
  return {
    id: Number(row.id),
    licenseId: Number(row.license_id),
    targetConfigurationId: Number(row.target_configuration_id),
    targetProduct: row.target_product,
    quantity: Number(row.quantity),
    periodMonths: idOrNull(row.period_months),
    state: row.state,
    atRenewal: Boolean(Number(row.at_renewal)),
    requestId: idOrNull(row.request_id),
    newLicenseId: idOrNull(row.new_license_id),
    terminateOperationId: idOrNull(row.terminate_operation_id),
    bulkJobId: idOrNull(row.bulk_job_id),
    bulkItemId: idOrNull(row.bulk_item_id),
    actor: fromJson(row.actor, { type: 'system' } as Actor),
    reason: row.reason,
    createdAt: toIso(row.created_at) ?? '',
    updatedAt: toIso(row.updated_at) ?? '',
    finishedAt: toIso(row.finished_at),
  };
}

export interface NewMigration {
  licenseId: number;
  targetConfigurationId: number;
  targetProduct: string;
  quantity: number;
  periodMonths: number | null;
  state: 'scheduled' | 'requested';
  atRenewal: boolean;
  requestId: number | null;
  bulkJobId: number | null;
  bulkItemId: number | null;
  actor: Actor;
}

/** What a move writes beside the state. */
export interface MigrationPatch {
  requestId?: number;
  newLicenseId?: number;
  terminateOperationId?: number;
  periodMonths?: number | null;
  reason?: string | null;
}

/**
 * `license_migrations`: one row per license moved to another KA configuration. While it is
 * unfinished the row holds its license (`open_license_id`, unique), so one license is in one
 * migration at a time, whoever starts it; every step is a guarded move (`move`).
 */
export class MigrationStore {
  constructor(private readonly now: () => number = Date.now) {}

  /** Inserts the migration holding its license; a unique violation means another one holds it. */
  async insert(db: DbOrTx, input: NewMigration): Promise<number> {
    const now = this.now();
    const [id] = await db('license_migrations').insert({
      license_id: input.licenseId,
      open_license_id: input.licenseId,
      target_configuration_id: input.targetConfigurationId,
      target_product: input.targetProduct,
      quantity: input.quantity,
      period_months: input.periodMonths,
      state: input.state,
      at_renewal: input.atRenewal,
      request_id: input.requestId,
      bulk_job_id: input.bulkJobId,
      bulk_item_id: input.bulkItemId,
      actor: toJson(input.actor) ?? '{}',
      created_at: now,
      updated_at: now,
    });
    return Number(id);
  }

  async get(db: DbOrTx, id: number): Promise<LicenseMigration | undefined> {
    const row = await db<MigrationRow>('license_migrations').where({ id }).first();
    return row ? toMigration(row) : undefined;
  }

  /** The unfinished migration of a license, if any. */
  async openOf(db: DbOrTx, licenseId: number): Promise<LicenseMigration | undefined> {
    const row = await db<MigrationRow>('license_migrations').where({ open_license_id: licenseId }).first();
    return row ? toMigration(row) : undefined;
  }

  /** Migrations of a license (as the old one or the new one), newest first. */
  async ofLicense(db: DbOrTx, licenseId: number): Promise<LicenseMigration[]> {
    const rows = await db<MigrationRow>('license_migrations')
      .where({ license_id: licenseId })
      .orWhere({ new_license_id: licenseId })
      .orderBy('id', 'desc')
      .limit(20);
    return rows.map(toMigration);
  }

  /** The migration a bulk job's item started, whatever its state: the item's idempotency key. */
  async byBulkItem(db: DbOrTx, bulkJobId: number, itemId: number): Promise<LicenseMigration | undefined> {
    const row = await db<MigrationRow>('license_migrations')
      .where({ bulk_job_id: bulkJobId, bulk_item_id: itemId })
      .first();
    return row ? toMigration(row) : undefined;
  }

  /** Records the terminate operation made in the move to `terminating` (same transaction). */
  async setTerminateOperation(db: DbOrTx, id: number, operationId: number): Promise<void> {
    await db('license_migrations').where({ id }).update({ terminate_operation_id: operationId });
  }

  async byRequest(db: DbOrTx, requestId: number): Promise<LicenseMigration | undefined> {
    const row = await db<MigrationRow>('license_migrations').where({ request_id: requestId }).first();
    return row ? toMigration(row) : undefined;
  }

  async byOperation(db: DbOrTx, operationId: number): Promise<LicenseMigration | undefined> {
    const row = await db<MigrationRow>('license_migrations').where({ terminate_operation_id: operationId }).first();
    return row ? toMigration(row) : undefined;
  }

  /** The scheduled (at renewal) migrations of licenses, by license id. */
  async scheduledOf(db: DbOrTx, licenseIds: number[]): Promise<LicenseMigration[]> {
    if (!licenseIds.length) return [];
    const rows = await db<MigrationRow>('license_migrations')
      .whereIn('open_license_id', licenseIds)
      .where({ state: 'scheduled' });
    return rows.map(toMigration);
  }

  /** Unfinished at-renewal migrations among these licenses (a subscription's): auto-renew waits for them. */
  async openAtRenewal(db: DbOrTx, licenseIds: number[]): Promise<number> {
    if (!licenseIds.length) return 0;
    const rows = await db('license_migrations')
      .whereIn('open_license_id', licenseIds)
      .where({ at_renewal: true })
      .pluck('id');
    return rows.length;
  }

  /** Requested migrations whose request the sweep should look at, oldest first. */
  async requested(db: DbOrTx, limit: number): Promise<LicenseMigration[]> {
    const rows = await db<MigrationRow>('license_migrations')
      .where({ state: 'requested' })
      .orderBy('updated_at')
      .limit(limit);
    return rows.map(toMigration);
  }

  /** `from → to`, guarded by the state; a finished migration gives its license back. Answers it as it left it. */
  move(
    migration: LicenseMigration,
    from: MigrationState,
    to: MigrationState,
    patch: MigrationPatch = {},
  ): GuardedMove<LicenseMigration> {
    return new GuardedMove('license_migration', migration.id, from, to, async (db) => {
      const now = this.now();
      const update: Record<string, unknown> = { state: to, updated_at: now };
      if (patch.requestId !== undefined) update.request_id = patch.requestId;
      if (patch.newLicenseId !== undefined) update.new_license_id = patch.newLicenseId;
      if (patch.terminateOperationId !== undefined) update.terminate_operation_id = patch.terminateOperationId;
      if (patch.periodMonths !== undefined) update.period_months = patch.periodMonths;
      if (patch.reason !== undefined) update.reason = patch.reason === null ? null : clip(patch.reason, 500);
      if (!openMigrationStates.includes(to)) Object.assign(update, { open_license_id: null, finished_at: now });
      const changed = await db('license_migrations').where({ id: migration.id, state: from }).update(update);
      return changed === 1 ? this.get(db, migration.id) : undefined;
    });
  }
}
