import type { Knex } from 'knex';
import { clip } from '../../infra/db/bounded-text.js';
import type { DbOrTx } from '../../infra/db/database.js';
import { fromJson, toIso, toJson } from '../../infra/db/rows.js';
import type { Actor } from '../../kernel/actor.js';
import { GuardedMove } from '../audit/transition.js';
import type { BulkItemRef, BulkTarget } from './bulk-action.js';
import type { BulkItemState, BulkJob, BulkJobItem, BulkJobState } from './bulk-job.js';

interface JobRow {
  id: number;
  action: string;
  applies_to: string;
  state: string;
  filter: string | null;
  note: string | null;
  parameters?: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  total: number;
  done: number;
  failed: number;
  skipped: number;
  cancelled: number;
  created_at: number | string;
  updated_at: number | string;
  cancelled_at: number | string | null;
  finished_at: number | string | null;
}

interface ItemRow {
  id: number;
  bulk_job_id: number;
  target_id: number;
  state: string;
  attempts: number;
  result_code: string | null;
  result: string | null;
  finished_at: number | string | null;
}

function toJob(row: JobRow): BulkJob {
  const counts = {
    total: Number(row.total),
    done: Number(row.done),
    failed: Number(row.failed),
    skipped: Number(row.skipped),
    cancelled: Number(row.cancelled),
  };
  return {
    id: Number(row.id),
    action: row.action,
    appliesTo: row.applies_to as BulkTarget,
    state: row.state as BulkJobState,
    filter: fromJson(row.filter, null),
    note: row.note,
    parameters: fromJson(row.parameters ?? null, null),
    actor: {
      type: row.actor_type as Actor['type'],
      id: row.actor_id ?? undefined,
      name: row.actor_name ?? undefined,
    },
    counts: { ...counts, left: counts.total - counts.done - counts.failed - counts.skipped - counts.cancelled },
    createdAt: toIso(row.created_at) ?? '',
    updatedAt: toIso(row.updated_at) ?? '',
    cancelledAt: toIso(row.cancelled_at),
    finishedAt: toIso(row.finished_at),
  };
}

function toItem(row: ItemRow): BulkJobItem {
  return {
    id: Number(row.id),
    bulkJobId: Number(row.bulk_job_id),
    targetId: Number(row.target_id),
    state: row.state as BulkItemState,
    attempts: Number(row.attempts),
    resultCode: row.result_code,
    result: row.result,
    finishedAt: toIso(row.finished_at),
  };
}

/** An item's end as the store writes it; `pending` puts it back to wait until `notBefore`. */
export type ItemWrite =
  | { id: number; state: 'done' | 'failed' | 'skipped' | 'cancelled'; code?: string; message?: string }
  | { id: number; state: 'pending'; code: string; message: string; notBefore: number };

/** Rows per insert when a selection becomes items: well within SQLite's bound on parameters. */
const insertChunk = 1000;
const endStates = ['done', 'failed', 'skipped', 'cancelled'] as const;
const countComplete = 'done + failed + skipped + cancelled = total';

/**
 * The tables `bulk_jobs` and `bulk_job_items`. Items are claimed a batch at a time with one
 * guarded UPDATE (pending, or running with a lapsed lease), and written back with guarded
 * UPDATEs on the claim's token, so an item a worker lost to another is never written twice;
 * the job's counts move in the same transaction as the items they count.
 */
export class BulkJobStore {
  constructor(private readonly now: () => number = Date.now) {}

  /** The job and one pending item per target, in the caller's transaction. */
  async insert(
    tx: DbOrTx,
    job: {
      action: string;
      appliesTo: BulkTarget;
      filter: Record<string, unknown> | null;
      note: string | null;
      parameters?: Record<string, unknown> | null;
      actor: Actor;
      targetIds: readonly number[];
    },
  ): Promise<number> {
    const now = this.now();
    const [id] = await tx('bulk_jobs').insert({
      action: job.action,
      applies_to: job.appliesTo,
      state: 'running',
      filter: toJson(job.filter),
      note: job.note === null ? null : clip(job.note, 2000),
      parameters: toJson(job.parameters ?? null),
      actor_type: job.actor.type,
      actor_id: job.actor.id === undefined ? null : clip(job.actor.id, 80),
      actor_name: job.actor.name === undefined ? null : clip(job.actor.name, 200),
      total: job.targetIds.length,
      created_at: now,
      updated_at: now,
    });
    const jobId = Number(id);
    for (let at = 0; at < job.targetIds.length; at += insertChunk) {
      await tx('bulk_job_items').insert(
        job.targetIds
          .slice(at, at + insertChunk)
          .map((targetId) => ({ bulk_job_id: jobId, target_id: targetId, state: 'pending', attempts: 0 })),
      );
    }
    return jobId;
  }

  async get(db: DbOrTx, id: number): Promise<BulkJob | undefined> {
    const row = await db<JobRow>('bulk_jobs').where({ id }).first();
    return row ? toJob(row) : undefined;
  }

  /** Newest first. */
  async list(db: DbOrTx, filter: { state?: BulkJobState; beforeId?: number; limit: number }): Promise<BulkJob[]> {
    const q = db<JobRow>('bulk_jobs').orderBy('id', 'desc').limit(filter.limit);
    if (filter.state) q.where('state', filter.state);
    if (filter.beforeId !== undefined) q.where('id', '<', filter.beforeId);
    return (await q).map(toJob);
  }

  /** A job's items in id order (ids above `afterId`). */
  async items(
    db: DbOrTx,
    jobId: number,
    filter: { state?: BulkItemState; afterId?: number; limit: number },
  ): Promise<BulkJobItem[]> {
    const q = db<ItemRow>('bulk_job_items').where('bulk_job_id', jobId).orderBy('id').limit(filter.limit);
    if (filter.state) q.where('state', filter.state);
    if (filter.afterId !== undefined) q.where('id', '>', filter.afterId);
    return (await q).map(toItem);
  }

  /**
   * Claims up to `limit` items of the job for `token` until `leaseUntil`: pending ones that are
   * due (only while the job runs), and running ones whose worker's lease lapsed (also once it
   * is cancelled: work in flight is finished, never left unknown). One UPDATE for the batch;
   * two workers racing for the same rows each get only those their UPDATE changed.
   */
  async claim(
    db: DbOrTx,
    jobId: number,
    options: { token: string; leaseUntil: number; limit: number; takePending: boolean },
  ): Promise<Array<BulkItemRef & { attempts: number }>> {
    const now = this.now();
    const claimable = <Q extends Knex.QueryBuilder>(q: Q): Q =>
      q.where((w) => {
        if (options.takePending)
          w.orWhere((p) =>
            p.where('state', 'pending').andWhere((l) => l.whereNull('lease_until').orWhere('lease_until', '<', now)),
          );
        w.orWhere((r) => r.where('state', 'running').andWhere('lease_until', '<', now));
      }) as Q;
    // Another worker may take the candidates first: look again for the next ones, a few times.
    for (let tries = 0; tries < 5; tries++) {
      const claimed = await this.claimOnce(db, jobId, options, claimable);
      if (claimed) return claimed;
    }
    return [];
  }

  private async claimOnce(
    db: DbOrTx,
    jobId: number,
    options: { token: string; leaseUntil: number; limit: number; takePending: boolean },
    claimable: <Q extends Knex.QueryBuilder>(q: Q) => Q,
  ): Promise<Array<BulkItemRef & { attempts: number }> | undefined> {
    const candidates = (await claimable(
      db('bulk_job_items')
        .where('bulk_job_id', jobId)
        .whereIn('state', options.takePending ? ['pending', 'running'] : ['running']),
    )
      .orderBy('id')
      .limit(options.limit)
      .select('id')) as Array<{ id: number }>;
    if (candidates.length === 0) return [];
    const ids = candidates.map((c) => Number(c.id));
    const claimed = await claimable(db('bulk_job_items').whereIn('id', ids)).update({
      state: 'running',
      lease_token: options.token,
      lease_until: options.leaseUntil,
      attempts: db.raw('attempts + 1'),
    });
    if (claimed === 0) return undefined;
    const rows = (await db('bulk_job_items')
      .whereIn('id', ids)
      .where({ lease_token: options.token, state: 'running' })
      .orderBy('id')
      .select('id', 'target_id', 'attempts')) as Array<{ id: number; target_id: number; attempts: number }>;
    return rows.map((r) => ({ id: Number(r.id), targetId: Number(r.target_id), attempts: Number(r.attempts) }));
  }

  /**
   * Writes items' ends for the claim `token` (each only if still its running item) and adds
   * what moved to the job's counts; extends the lease of the token's items still running to
   * `leaseUntil`. Answers the job's state after. Call it in a transaction.
   */
  async write(
    tx: DbOrTx,
    jobId: number,
    token: string,
    writes: readonly ItemWrite[],
    leaseUntil: number,
  ): Promise<BulkJobState | undefined> {
    const now = this.now();
    const moved: Record<(typeof endStates)[number], number> = { done: 0, failed: 0, skipped: 0, cancelled: 0 };
    // One UPDATE per distinct end (the same reason is common), not one per item.
    const groups = new Map<string, { write: ItemWrite; ids: number[] }>();
    for (const write of writes) {
      const key = JSON.stringify([write.state, write.code ?? null, write.message ?? null]).concat(
        write.state === 'pending' ? `:${write.notBefore}` : '',
      );
      const group = groups.get(key) ?? { write, ids: [] };
      group.ids.push(write.id);
      groups.set(key, group);
    }
    for (const { write, ids } of groups.values()) {
      const ended = write.state !== 'pending';
      const count = await tx('bulk_job_items')
        .whereIn('id', ids)
        .where({ bulk_job_id: jobId, lease_token: token, state: 'running' })
        .update({
          state: write.state,
          result_code: write.code === undefined ? null : clip(write.code, 60),
          result: write.message === undefined ? null : clip(write.message, 500),
          lease_token: null,
          lease_until: write.state === 'pending' ? write.notBefore : null,
          finished_at: ended ? now : null,
        });
      if (write.state !== 'pending') moved[write.state] += count;
    }
    await tx('bulk_job_items')
      .where({ bulk_job_id: jobId, lease_token: token, state: 'running' })
      .update({ lease_until: leaseUntil });
    await tx('bulk_jobs')
      .where({ id: jobId })
      .update({
        done: tx.raw('done + ?', [moved.done]),
        failed: tx.raw('failed + ?', [moved.failed]),
        skipped: tx.raw('skipped + ?', [moved.skipped]),
        cancelled: tx.raw('cancelled + ?', [moved.cancelled]),
        updated_at: now,
      });
    const row = (await tx('bulk_jobs').where({ id: jobId }).first('state')) as { state: string } | undefined;
    return row?.state as BulkJobState | undefined;
  }

  /** Gives the token's running items back (pending, due at once): the worker holding them stops. */
  async release(db: DbOrTx, token: string): Promise<number> {
    return db('bulk_job_items')
      .where({ lease_token: token, state: 'running' })
      .update({ state: 'pending', lease_token: null, lease_until: null });
  }

  /**
   * Cancel: the job stops taking items, and its pending items are cancelled in the same
   * update (and counted); running ones finish. Answers how many were cancelled.
   */
  cancel(jobId: number): GuardedMove<{ cancelledItems: number }> {
    return new GuardedMove('bulk_job', jobId, 'running', 'cancelled', async (db) => {
      const now = this.now();
      const won = await db('bulk_jobs')
        .where({ id: jobId, state: 'running' })
        .update({ state: 'cancelled', cancelled_at: now, updated_at: now });
      if (won !== 1) return undefined;
      const cancelledItems = await db('bulk_job_items')
        .where({ bulk_job_id: jobId, state: 'pending' })
        .update({ state: 'cancelled', result_code: 'cancelled', lease_until: null, finished_at: now });
      await db('bulk_jobs')
        .where({ id: jobId })
        .update({ cancelled: db.raw('cancelled + ?', [cancelledItems]) });
      return { cancelledItems };
    });
  }

  /** A running job whose every item is written becomes finished. */
  finish(jobId: number): GuardedMove {
    return new GuardedMove('bulk_job', jobId, 'running', 'finished', async (db) => {
      const now = this.now();
      const won = await db('bulk_jobs')
        .where({ id: jobId, state: 'running' })
        .whereRaw(countComplete)
        .update({ state: 'finished', finished_at: now, updated_at: now });
      return won === 1 ? true : undefined;
    });
  }

  /** A cancelled job gets its end time once the items in flight at the cancel are written. */
  async closeCancelled(db: DbOrTx, jobId: number): Promise<boolean> {
    const now = this.now();
    const changed = await db('bulk_jobs')
      .where({ id: jobId, state: 'cancelled' })
      .whereNull('finished_at')
      .whereRaw(countComplete)
      .update({ finished_at: now, updated_at: now });
    return changed === 1;
  }

  /**
   * Jobs with work left whose counts have not moved since `staleBefore`: their queue job may
   * be lost (or their worker dead), so the reconciler enqueues them again.
   */
  async stale(db: DbOrTx, staleBefore: number, limit: number): Promise<BulkJob[]> {
    const rows = await db<JobRow>('bulk_jobs')
      .where((q) => q.where('state', 'running').orWhere((c) => c.where('state', 'cancelled').whereNull('finished_at')))
      .andWhere('updated_at', '<', staleBefore)
      .orderBy('id')
      .limit(limit);
    return rows.map(toJob);
  }
}
