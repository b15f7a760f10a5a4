import type { Knex } from 'knex';
import { type DbOrTx, dialectOf } from '../../infra/db/database.js';
import {
  type LicensePhase,
  licensePhases,
  type PhaseRules,
  type TermEndRange,
  termEndRangeOf,
} from './license-phase.js';
import type { LicenseKeyType, LicenseStatus } from './license.js';
import { termEndColumn } from './license-term.js';

/** A license whose stored phase a pass moved: what the pass tells about it. */
export interface PhaseMove {
  id: number;
  from: LicensePhase;
  to: LicensePhase;
  status: LicenseStatus;
  termEnd: number | null;
  keyType: LicenseKeyType | null;
}

/** `after < termEnd <= upTo` (or no end, when the range takes it) on a query of `licenses`. */
export function whereTermEndIn(q: Knex.QueryBuilder, range: TermEndRange): void {
  q.where((w) => {
    w.where((inRange) => {
      if (range.after !== undefined) inRange.where(termEndColumn, '>', range.after);
      if (range.upTo !== undefined) inRange.where(termEndColumn, '<=', range.upTo);
      if (range.after === undefined && range.upTo === undefined) inRange.whereNotNull(termEndColumn);
    });
    if (range.orNoEnd) w.orWhereNull(termEndColumn);
  });
}

/**
 * The stored phase of licenses (`licenses.phase`, migration 013): the cache the scheduler moves
 * so each change of phase is told once. Reads compute the phase from the dates instead.
 */
export class LicensePhaseStore {
  /**
   * Moves up to `limit` licenses whose dates put them in `to` but whose stored phase is another,
   * in the caller's transaction, and answers them. The rows are read with a lock (MySQL), so a
   * second worker's pass waits and then finds them moved; the update is guarded by the same
   * conditions, and a guard that lost (which the lock rules out) throws, rolling the batch back
   * rather than telling a move twice. One range on `(phase, expires_at)` per phase left.
   */
  async claimMoves(tx: DbOrTx, to: LicensePhase, now: number, rules: PhaseRules, limit: number): Promise<PhaseMove[]> {
    const range = termEndRangeOf(to, now, rules);
    const others = licensePhases.filter((p) => p !== to);
    // Additional keys have no grace: they are never in `grace`, and `lapsed` as soon as their term ends.
    const due = () => {
      const q = tx('licenses').whereIn('phase', others);
      if (to === 'grace') {
        whereTermEndIn(q, range);
        q.where((w) => w.whereNull('key_type').orWhere('key_type', '<>', 'additional'));
      } else if (to === 'lapsed')
        q.where((w) =>
          w
            .where((primary) => whereTermEndIn(primary, range))
            .orWhere((additional) => additional.where('key_type', 'additional').where(termEndColumn, '<=', now)),
        );
      else whereTermEndIn(q, range);
      return q;
    };
    const select = due().select('id', 'phase', 'status', 'key_type', `${termEndColumn} as term_end`).limit(limit);
    const rows = (await (dialectOf(tx) === 'mysql' ? select.forUpdate() : select)) as Array<{
      id: number;
      phase: LicensePhase;
      status: LicenseStatus;
      key_type: LicenseKeyType | null;
      term_end: number | string | null;
    }>;
    if (!rows.length) return [];
    const ids = rows.map((r) => Number(r.id));
    const moved = await due().whereIn('id', ids).update({ phase: to, phase_changed_at: now });
    if (moved !== ids.length)
      throw new Error(`phase pass: ${ids.length - moved} of ${ids.length} licenses moved under it`);
    return rows.map((r) => ({
      id: Number(r.id),
      from: r.phase,
      to,
      status: r.status,
      termEnd: r.term_end === null ? null : Number(r.term_end),
      keyType: r.key_type ?? null,
    }));
  }
}
