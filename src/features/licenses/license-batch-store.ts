import type { DbOrTx } from '../../infra/db/database.js';
import type { LicenseStatus, LicenseSummary } from './license.js';
import type { NewLicense, NewLicenseFile } from './license-port.js';
import { type LicenseStore, licenseFileRow, newLicenseRow, toLicenseSummary } from './license-store.js';

/**
 * The licenses table as the batch pipeline writes it: the licenses of many requests, their
 * first files and their status moves, each in one statement. The rows are the ones
 * `LicenseStore` writes one at a time.
 */
export class LicenseBatchStore {
  constructor(
    private readonly licenses: LicenseStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Inserts new licenses (status `issued`) in one statement and answers them by request id.
   * A key another license holds fails the whole insert (the unique index): the caller's
   * transaction rolls back and its requests go on one by one.
   */
  async insertMany(db: DbOrTx, inputs: NewLicense[]): Promise<Map<number, LicenseSummary>> {
    const now = this.now();
    const rows = inputs.map((input) => newLicenseRow(input, now));
    const byRequest = new Map<number, LicenseSummary>();
    if (!rows.length) return byRequest;
    const syncDueAt = this.licenses.firstSyncDue(now);
    await db('licenses').insert(rows.map((row) => ({ ...row, sync_due_at: syncDueAt })));
    // A multi-row insert answers one id at most (and which one depends on the dialect).
    const requestIds = inputs.map((input) => input.requestId).filter((id): id is number => id !== null);
    const stored = (await db('licenses')
      .whereIn('request_id', requestIds)
      .select('id', 'request_id', 'key_number')) as Array<{ id: number; request_id: number; key_number: string }>;
    const idOf = new Map(stored.map((r) => [`${Number(r.request_id)}\u0000${r.key_number}`, Number(r.id)]));
    for (const row of rows) {
      const id = idOf.get(`${row.request_id}\u0000${row.key_number}`);
      if (id === undefined || row.request_id === null)
        throw new Error(`license of request ${row.request_id} not stored`);
      byRequest.set(row.request_id, toLicenseSummary({ ...row, id }));
    }
    return byRequest;
  }

  /** The first file set (generation 1) of licenses that have none yet, in one insert. */
  async insertFirstFiles(db: DbOrTx, sets: Array<{ licenseId: number; files: NewLicenseFile[] }>): Promise<void> {
    const now = this.now();
    const rows = sets.flatMap(({ licenseId, files }) => files.map((f) => licenseFileRow(licenseId, f, 1, now)));
    if (rows.length) await db('license_files').insert(rows);
  }

  /**
   * `LicenseStore.setStatus` for many licenses in one update, guarded by their status alike;
   * `revisions` sets each license's file revision where it has one.
   */
  async setStatusMany(
    db: DbOrTx,
    ids: readonly number[],
    from: LicenseStatus[],
    to: LicenseStatus,
    extra: { installedAt?: number; revisions?: ReadonlyMap<number, string> } = {},
  ): Promise<void> {
    if (!ids.length) return;
    const columns: Record<string, unknown> = {
      status: to,
      updated_at: this.now(),
      suspended_keyway_only: false,
      ...(extra.installedAt === undefined ? {} : { installed_at: extra.installedAt }),
    };
    const revisions = [...(extra.revisions ?? [])];
    if (revisions.length)
      columns.revision = db.raw(
        `CASE id ${revisions.map(() => 'WHEN ? THEN ?').join(' ')} ELSE revision END`,
        revisions.flat(),
      );
    await db('licenses').whereIn('id', ids).whereIn('status', from).update(columns);
  }
}
