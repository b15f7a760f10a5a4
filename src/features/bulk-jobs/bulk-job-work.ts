import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Logger } from '../../infra/log/logger.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Actor } from '../../kernel/actor.js';
import type { EngineEntity, EngineStep, WorkKey } from '../../provisioning/engine/provisioning-engine.js';
import type { AuditWriter } from '../audit/audit-store.js';
import { applyTransition } from '../audit/transition.js';
import type { BulkAction, BulkItemRef, ItemOutcome } from './bulk-action.js';
import type { BulkActionRegistry } from './bulk-action-registry.js';
import type { BulkJob, BulkJobState } from './bulk-job.js';
import type { BulkJobStore, ItemWrite } from './bulk-job-store.js';

/** The queue job that works on a bulk job; payload `{bulkJobId}`. */
export const BULK_JOB_RUN = 'bulk_job.run';

export interface BulkJobRunJob {
  bulkJobId: number;
}

/** How soon a job with items left but none to claim now looks again. */
const recheckMs = 1000;

/** Who writes a bulk job's own events (finished): the workers. */
export const bulkWorkerActor: Actor = { type: 'worker', name: 'bulk jobs' };

/** A batch of one job's items, claimed for one engine job. */
export interface HeldBatch {
  job: BulkJob;
  action: BulkAction;
  token: string;
  items: Array<BulkItemRef & { attempts: number }>;
}

export interface BulkJobWorkOptions {
  /** How long a claim holds its items; every write extends it for the items still held. */
  leaseMs: number;
  /** Items run at once within a batch. */
  parallel: number;
  /** Progress (counts, and the check for a cancel) is written at least this often while a batch runs. */
  flushMs: number;
  /** Tries of an item whose target stays busy before it fails. */
  maxAttempts: number;
}

export interface BulkJobWorkDeps {
  db: Db;
  store: BulkJobStore;
  actions: BulkActionRegistry;
  audit: AuditWriter;
  queue: JobQueue;
  logger: Logger;
  options: BulkJobWorkOptions;
  now: () => number;
}

/**
 * Bulk jobs as an entity of the provisioning engine: a queue job names a bulk job, and the
 * worker claims a batch of its items at a time (one guarded UPDATE), runs the action on each,
 * and writes the outcomes back on its claim's token with the job's counts, at least every
 * `flushMs`. Any number of workers work on one job side by side; a dead worker's items are
 * taken again when their lease lapses, and only those not written. Between writes the job's
 * state is read back, so a cancel stops the batch within `flushMs` (items not started are
 * cancelled; those running finish).
 */
export class BulkJobWork implements EngineEntity<HeldBatch> {
  readonly name = 'bulk_job';

  constructor(private readonly deps: BulkJobWorkDeps) {}

  async acquire(id: number, token: string): Promise<HeldBatch | undefined> {
    const job = await this.deps.store.get(this.deps.db, id);
    if (!job || job.state === 'finished' || job.finishedAt) return undefined;
    const action = this.deps.actions.get(job.action);
    if (!action) {
      this.deps.logger.warn({ bulkJobId: id, action: job.action }, 'bulk job of an action this worker does not know');
      return undefined;
    }
    const held = await this.claim(job, action, token);
    if (!held) await this.settle(job.id);
    return held;
  }

  async step(held: HeldBatch): Promise<EngineStep<HeldBatch>> {
    const state = await this.runBatch(held);
    await this.settle(held.job.id);
    if (state !== 'running' && state !== 'cancelled') return { next: 'none' };
    const next = await this.claim({ ...held.job, state }, held.action, held.token);
    if (next) return { next: 'now', held: next };
    // Items put back to wait (their target was busy), or held by another worker: look again soon.
    return (await this.owed(held.job.id)) ? { next: 'later', delayMs: recheckMs } : { next: 'none' };
  }

  /** Items still held (claimed, not run: the engine's time was up) go back to pending. */
  async release(_held: HeldBatch, token: string): Promise<void> {
    await this.deps.store.release(this.deps.db, token);
  }

  async owed(id: number): Promise<WorkKey | undefined> {
    const job = await this.deps.store.get(this.deps.db, id);
    if (!job || job.finishedAt || job.counts.left === 0) return undefined;
    return keyOf(job);
  }

  /** Items written so far in the id: a job that made progress hands on under a new id. */
  async enqueue(id: number, key: WorkKey, options: { delayMs?: number; idSuffix?: string }): Promise<void> {
    await this.deps.queue.enqueue<BulkJobRunJob>(
      BULK_JOB_RUN,
      { bulkJobId: id },
      {
        jobId: `bulk-job-${id}-${key.attempts}${options.idSuffix ? `-${options.idSuffix}` : ''}`,
        delayMs: options.delayMs,
      },
    );
  }

  /** Jobs with work left whose counts stood still since `dueBefore`. */
  async lost(dueBefore: number, limit: number): Promise<Array<{ id: number; key: WorkKey }>> {
    const stale = await this.deps.store.stale(this.deps.db, dueBefore, limit);
    return stale.map((job) => ({ id: job.id, key: keyOf(job) }));
  }

  /** Ends the job once every item is written: finished (with its event), or a cancelled one's end time. */
  async settle(jobId: number): Promise<void> {
    const { db, store, audit } = this.deps;
    const finished = await applyTransition(db, { audit }, store.finish(jobId), async (tx) => {
      const job = await store.get(tx, jobId);
      return { actor: bulkWorkerActor, action: 'bulk_job.finished', data: { action: job?.action, ...job?.counts } };
    });
    if (!finished) await store.closeCancelled(db, jobId);
  }

  private async claim(job: BulkJob, action: BulkAction, token: string): Promise<HeldBatch | undefined> {
    const items = await this.deps.store.claim(this.deps.db, job.id, {
      token,
      leaseUntil: this.deps.now() + this.deps.options.leaseMs,
      limit: action.batchSize ?? 20,
      takePending: job.state === 'running',
    });
    return items.length ? { job, action, token, items } : undefined;
  }

  /** Runs the batch `parallel` items at a time; answers the job's state at the last write. */
  private async runBatch(held: HeldBatch): Promise<BulkJobState | undefined> {
    const { options, now } = this.deps;
    const pending: ItemWrite[] = [];
    let state: BulkJobState | undefined = held.job.state;
    let lastWrite = now();
    const queue = [...held.items];
    while (queue.length) {
      const chunk = queue.splice(0, options.parallel);
      pending.push(...(await Promise.all(chunk.map((item) => this.runItem(held, item)))));
      if (queue.length && now() - lastWrite < options.flushMs) continue;
      state = await this.write(held, pending.splice(0));
      lastWrite = now();
      if (state === 'cancelled' && held.job.state === 'running') {
        // Claimed but not started when staff cancelled: cancelled like the pending ones.
        const notStarted = queue
          .splice(0)
          .map((item): ItemWrite => ({ id: item.id, state: 'cancelled', code: 'cancelled' }));
        if (notStarted.length) state = await this.write(held, notStarted);
      }
    }
    return state;
  }

  private write(held: HeldBatch, writes: ItemWrite[]): Promise<BulkJobState | undefined> {
    const leaseUntil = this.deps.now() + this.deps.options.leaseMs;
    return transaction(this.deps.db, (tx) => this.deps.store.write(tx, held.job.id, held.token, writes, leaseUntil));
  }

  private async runItem(held: HeldBatch, item: BulkItemRef & { attempts: number }): Promise<ItemWrite> {
    const { job, action } = held;
    let outcome: ItemOutcome;
    try {
      outcome = await action.run(
        { id: item.id, targetId: item.targetId },
        { actor: job.actor, bulkJobId: job.id, note: job.note ?? undefined, parameters: job.parameters ?? {} },
      );
    } catch (err) {
      this.deps.logger.warn({ err, bulkJobId: job.id, itemId: item.id }, 'bulk item failed with an error');
      outcome = { state: 'failed', code: 'error', message: err instanceof Error ? err.message : String(err) };
    }
    if (outcome.state !== 'later') return { id: item.id, ...outcome };
    if (item.attempts >= this.deps.options.maxAttempts)
      return {
        id: item.id,
        state: 'failed',
        code: outcome.code,
        message: `${outcome.message} (${item.attempts} tries)`,
      };
    return {
      id: item.id,
      state: 'pending',
      code: outcome.code,
      message: outcome.message,
      notBefore: this.deps.now() + outcome.delayMs,
    };
  }
}

function keyOf(job: BulkJob): WorkKey {
  const { done, failed, skipped, cancelled } = job.counts;
  return { state: job.state, attempts: done + failed + skipped + cancelled };
}
