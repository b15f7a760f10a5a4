import type { Knex } from 'knex';
import { type DbOrTx, dialectOf } from '../../infra/db/database.js';

/** A subscription a pass claimed: a renewal due, or one whose renewal Keyway pays itself. */
export interface DueRenewal {
  id: number;
  periodMonths: number;
  expiresAt: number;
}

/** The window of expiries a pass looks at: due within the notice, and not past the grace of its licenses. */
export interface DueWindow {
  now: number;
  noticeMs: number;
  /** Expired longer ago than this is past renewing (its licenses lapsed). */
  graceMs: number;
}

type DueRow = { id: number; period_months: number; expires_at: number | string };

const toDue = (r: DueRow): DueRenewal => ({
  id: Number(r.id),
  periodMonths: Number(r.period_months),
  expiresAt: Number(r.expires_at),
});

/**
 * The subscriptions' side of the renewal schedule (migration 013): auto-renew, the expiry a
 * renewal notice was raised for, and when Keyway may next pay a due renewal itself. Every
 * claim is a locking read (MySQL) of a range on `(state, auto_renew, expires_at)` and a guarded
 * update of the rows read, in the caller's transaction: a second worker waits, then finds them
 * claimed. A guard that lost anyway throws, so the caller's batch rolls back instead of
 * telling twice.
 */
export class RenewalScheduleStore {
  private due(db: DbOrTx, window: DueWindow): Knex.QueryBuilder {
    return (
      db('subscriptions')
        .where({ state: 'active', auto_renew: true })
        // A subscription cancelling at its term's end is not renewed: nothing is due.
        .whereNull('cancel_at')
        .andWhere('expires_at', '>', window.now - window.graceMs)
        .andWhere('expires_at', '<=', window.now + window.noticeMs)
    );
  }

  private async locked(db: DbOrTx, q: Knex.QueryBuilder, limit: number): Promise<DueRow[]> {
    const select = q.select('id', 'period_months', 'expires_at').limit(limit);
    return (await (dialectOf(db) === 'mysql' ? select.forUpdate() : select)) as DueRow[];
  }

  /** Claims up to `limit` auto-renew subscriptions due whose notice is not raised for their current expiry. */
  async claimNotices(tx: DbOrTx, window: DueWindow, limit: number): Promise<DueRenewal[]> {
    const unnoticed = () =>
      this.due(tx, window).andWhere((w) =>
        w.whereNull('renewal_due_for').orWhere('renewal_due_for', '<>', tx.ref('expires_at')),
      );
    const rows = await this.locked(tx, unnoticed(), limit);
    if (!rows.length) return [];
    const ids = rows.map((r) => Number(r.id));
    const moved = await unnoticed()
      .whereIn('id', ids)
      .update({ renewal_due_for: tx.ref('expires_at') });
    if (moved !== ids.length)
      throw new Error(`renewal notices: ${ids.length - moved} of ${ids.length} claimed under us`);
    return rows.map(toDue);
  }

  /**
   * Claims up to `limit` subscriptions whose notice is raised for their current expiry (still
   * unrenewed) and whose last try to pay, if any, is older than `retryMs`: a worker that dies
   * mid-payment leaves it to a later pass.
   */
  async claimPayments(tx: DbOrTx, window: DueWindow, retryMs: number, limit: number): Promise<DueRenewal[]> {
    const payable = () =>
      this.due(tx, window)
        .andWhere('renewal_due_for', '=', tx.ref('expires_at'))
        .andWhere((w) => w.whereNull('autopay_after').orWhere('autopay_after', '<=', window.now));
    const rows = await this.locked(tx, payable(), limit);
    if (!rows.length) return [];
    const ids = rows.map((r) => Number(r.id));
    const moved = await payable()
      .whereIn('id', ids)
      .update({ autopay_after: window.now + retryMs });
    if (moved !== ids.length)
      throw new Error(`renewal payments: ${ids.length - moved} of ${ids.length} claimed under us`);
    return rows.map(toDue);
  }

  /** Turns auto-renew on or off; answers false when it already was so (nothing changed). */
  async setAutoRenew(db: DbOrTx, id: number, on: boolean, now: number): Promise<boolean> {
    return (await db('subscriptions').where({ id, auto_renew: !on }).update({ auto_renew: on, updated_at: now })) === 1;
  }

  async autoRenewOf(db: DbOrTx, id: number): Promise<boolean | undefined> {
    const row = await db('subscriptions').where({ id }).first('auto_renew');
    return row ? Boolean(row.auto_renew) : undefined;
  }
}
