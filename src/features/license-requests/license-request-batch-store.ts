import type { Knex } from 'knex';
import type { DbOrTx } from '../../infra/db/database.js';
import { GuardedBatchMove } from '../audit/batch-transition.js';
import type { LicenseRequest, LicenseRequestState } from './license-request.js';
import type { TransitionPatch } from './license-request-port.js';
import { type LicenseRequestRow, toLicenseRequest, transitionColumns } from './license-request-store.js';

/**
 * The license requests table as the batch pipeline uses it: a worker leases many ready
 * requests with one guarded update and moves the ones it holds with one statement per step.
 * Every move is guarded by the state and by the batch's lease token, so a request a person
 * cancelled meanwhile, or one whose lease expired and went to another worker, is left out.
 */
export class LicenseRequestBatchStore {
  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Leases up to `limit` ready requests that are due and held by no live worker, and answers
   * them as leased. A migration's requests are left to the single-request path: their key's
   * term and their install's hook are their own.
   */
  async claimReady(db: DbOrTx, token: string, leaseMs: number, limit: number): Promise<LicenseRequest[]> {
    const now = this.now();
    const free = (q: Knex.QueryBuilder) =>
      q.andWhere((w) => w.whereNull('lease_until').orWhere('lease_until', '<', now));
    const due = free(
      db('license_requests')
        .where({ state: 'ready' })
        .whereNot({ source: 'migration' })
        .andWhere((w) => w.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', now)),
    );
    const ids = (await due.orderBy('id').limit(limit).pluck('id')).map(Number);
    if (!ids.length) return [];
    const leased = await free(db('license_requests').whereIn('id', ids).where({ state: 'ready' })).update({
      lease_token: token,
      lease_until: now + leaseMs,
    });
    if (leased === 0) return [];
    const rows = (await db('license_requests').whereIn('id', ids).where({ lease_token: token })) as LicenseRequestRow[];
    return rows.map(toLicenseRequest);
  }

  /**
   * Moves the requests of `ids` this batch holds (lease `token`) from `from` to `to` in one
   * update (run by `applyBatchTransition`). `countAttempt`: the attempt count goes up by one,
   * each request from its own.
   */
  moveMany(
    ids: readonly number[],
    from: LicenseRequestState,
    to: LicenseRequestState,
    token: string,
    patch: TransitionPatch & { countAttempt?: boolean } = {},
  ): GuardedBatchMove {
    return new GuardedBatchMove('license_request', ids, from, to, async (db) => {
      const { countAttempt, ...rest } = patch;
      const now = this.now();
      const columns: Record<string, unknown> = { state: to, ...transitionColumns(rest, now) };
      if (countAttempt) columns.attempts = db.raw('attempts + 1');
      const changed = await db('license_requests')
        .whereIn('id', ids)
        .where({ state: from, lease_token: token })
        .update(columns);
      if (changed === ids.length) return [...ids];
      // Some lost their guard (rare): the ones that moved are in `to`, updated by this very
      // statement (its time), and still ours unless the move gave the lease back.
      const query = db('license_requests').whereIn('id', ids).where({ state: to, updated_at: now });
      if (!patch.releaseLease) query.where({ lease_token: token });
      return (await query.pluck('id')).map(Number);
    });
  }

  /** Gives back the batch's lease on `ids` (they go on as single requests, or wait for a retry). */
  async release(db: DbOrTx, ids: readonly number[], token: string): Promise<void> {
    if (!ids.length) return;
    await db('license_requests')
      .whereIn('id', ids)
      .where({ lease_token: token })
      .update({ lease_token: null, lease_until: null });
  }
}
