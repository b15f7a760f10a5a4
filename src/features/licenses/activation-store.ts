import type { DbOrTx } from '../../infra/db/database.js';
import { toIso } from '../../infra/db/rows.js';
import { isUniqueViolation } from '../../infra/db/transaction.js';
import type { FarmActivation } from '../../plugin-sdk/ka-adapter.js';

/** A farm (activation) of a license as Keyway shows it: what the KA last said, when, and Keyway's note. */
export interface LicenseActivation {
  activationKey: string;
  farmName: string | null;
  status: 'active' | 'deactivated';
  serverId: string | null;
  appVersion: string | null;
  activatedAt: string | null;
  lastReportAt: string | null;
  peakUsage: number | null;
  movesUsed: number | null;
  movesLeft: number | null;
  /** The note Keyway keeps for this farm (activation key and server id). */
  note: string | null;
  /** When Keyway read this from the KA. */
  readAt: string;
}

const bounded = (text: string | undefined, max: number) => (text === undefined ? null : text.slice(0, max));
const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * The farms a KA reported for each license (`license_activations`, replaced as a whole by each
 * read, with the time read) and the notes Keyway keeps per farm (`farm_notes`, kept apart so a
 * new read never loses one).
 */
export class ActivationStore {
  /** Replaces the license's cached farms with a new reading, in one transaction (the caller's). */
  async replace(tx: DbOrTx, licenseId: number, farms: FarmActivation[], readAt: number): Promise<void> {
    await tx('license_activations').where({ license_id: licenseId }).delete();
    if (!farms.length) return;
    await tx('license_activations').insert(
      farms.map((f) => ({
        license_id: licenseId,
        activation_key: f.activationKey.slice(0, 80),
        farm_name: bounded(f.farmName, 200),
        status: f.status,
        server_id: bounded(f.serverId, 120),
        app_version: bounded(f.appVersion, 60),
        activated_at: ms(f.activatedAt),
        last_report_at: ms(f.lastReportAt),
        peak_usage: f.peakUsage ?? null,
        moves_used: f.movesUsed ?? null,
        moves_left: f.movesLeft ?? null,
        read_at: readAt,
      })),
    );
  }

  /** The cached farms of a license with their notes, active first, then by activation key. */
  async list(
    db: DbOrTx,
    licenseId: number,
    filter: { status?: 'active' | 'deactivated' } = {},
  ): Promise<LicenseActivation[]> {
    const q = db('license_activations as a')
      .leftJoin('farm_notes as n', (j) =>
        j
          .on('n.license_id', 'a.license_id')
          .andOn('n.activation_key', 'a.activation_key')
          .andOn(db.raw("n.server_id = coalesce(a.server_id, '')")),
      )
      .where('a.license_id', licenseId)
      .select('a.*', 'n.note')
      .orderBy([{ column: 'a.status' }, { column: 'a.activation_key' }, { column: 'a.id' }]);
    if (filter.status) q.andWhere('a.status', filter.status);
    const rows = await q;
    return rows.map((r) => ({
      activationKey: String(r.activation_key),
      farmName: r.farm_name ?? null,
      status: r.status,
      serverId: r.server_id ?? null,
      appVersion: r.app_version ?? null,
      activatedAt: toIso(r.activated_at),
      lastReportAt: toIso(r.last_report_at),
      peakUsage: num(r.peak_usage),
      movesUsed: num(r.moves_used),
      movesLeft: num(r.moves_left),
      note: r.note ?? null,
      readAt: toIso(r.read_at) ?? '',
    }));
  }

  /** When the license's farms were last read, or undefined when never. */
  async readAt(db: DbOrTx, licenseId: number): Promise<number | undefined> {
    const row = await db('license_activations').where({ license_id: licenseId }).max({ at: 'read_at' }).first();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  /** Sets (or, with null, removes) the note of a farm. */
  async setNote(
    db: DbOrTx,
    licenseId: number,
    farm: { activationKey: string; serverId: string | null },
    note: string | null,
    now: number,
  ): Promise<void> {
    const key = { license_id: licenseId, activation_key: farm.activationKey, server_id: farm.serverId ?? '' };
    if (note === null) {
      await db('farm_notes').where(key).delete();
      return;
    }
    const updated = await db('farm_notes').where(key).update({ note, updated_at: now });
    if (updated) return;
    try {
      await db('farm_notes').insert({ ...key, note, updated_at: now });
    } catch (err) {
      // Two notes raced for a new farm: the later one wins, as an update would.
      if (!isUniqueViolation(err)) throw err;
      await db('farm_notes').where(key).update({ note, updated_at: now });
    }
  }
}
