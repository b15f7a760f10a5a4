import test from 'ava';
import type { Knex } from 'knex';
import type { BulkAction, BulkTarget } from '../../../src/features/bulk-jobs/bulk-action.js';
import { BulkActionRegistry } from '../../../src/features/bulk-jobs/bulk-action-registry.js';
import { type BulkJobsFeature, createBulkJobsFeature } from '../../../src/features/bulk-jobs/bulk-jobs-feature.js';
import type { SelectionSource } from '../../../src/features/bulk-jobs/selection-source.js';
import { AuditStore } from '../../../src/features/audit/audit-store.js';
import { createLogger } from '../../../src/infra/log/logger.js';
import { RecordingQueue } from '../../helpers/recording-queue.js';
import { createTestDatabase, testDialects } from '../../helpers/test-database.js';
import { z } from 'zod';

const staff = { type: 'staff' as const, id: 'staff:1', name: 'Ann' };
const leaseMs = 60_000;

/**
 * What a real action does with its idempotency key, kept in memory: the first run of an item
 * acts (counted per target), a second run of the same item answers the first one's outcome.
 */
class Ledger {
  readonly runs = new Map<number, number>();
  readonly acts = new Map<number, number>();
  private readonly keys = new Set<string>();

  action(
    options: { name?: string; destructive?: boolean; hang?: (targetId: number) => Promise<void> } = {},
  ): BulkAction {
    return {
      name: options.name ?? 'touch',
      label: 'Touch',
      destructive: options.destructive ?? false,
      appliesTo: 'license',
      batchSize: 10,
      run: async (item, { bulkJobId }) => {
        this.runs.set(item.targetId, (this.runs.get(item.targetId) ?? 0) + 1);
        const key = `bulk:${bulkJobId}/item:${item.id}`;
        if (!this.keys.has(key)) {
          this.keys.add(key);
          this.acts.set(item.targetId, (this.acts.get(item.targetId) ?? 0) + 1);
        }
        await options.hang?.(item.targetId);
        // A pause between items, so two workers' batches interleave.
        await new Promise((resolve) => setImmediate(resolve));
        return item.targetId % 7 === 0
          ? { state: 'skipped', code: 'invalid_state', message: 'not now' }
          : { state: 'done' };
      },
    };
  }
}

const everyId: SelectionSource = {
  filter: z.object({}).strict() as unknown as z.ZodType<Record<string, unknown>>,
  ids: async () => [],
  existing: async (ids) => ids,
};

function worker(db: Knex, action: BulkAction, now: () => number = Date.now): BulkJobsFeature {
  return createBulkJobsFeature({
    db,
    queue: new RecordingQueue(),
    audit: new AuditStore(),
    logger: createLogger('silent'),
    actions: new BulkActionRegistry().register(action),
    sources: { license: everyId, license_request: everyId } as Record<BulkTarget, SelectionSource>,
    leaseMs,
    graceMs: 1000,
    options: { flushMs: 0 },
    now,
  });
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function runUntilDone(feature: BulkJobsFeature, jobId: number): Promise<void> {
  // Another worker may hold the last items: look again until they are written.
  for (let round = 0; round < 200; round++) {
    const job = await feature.service.get(jobId);
    if (job.finishedAt) return;
    await feature.engine.run(jobId);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`bulk job ${jobId} did not finish`);
}

for (const dialect of testDialects()) {
  test(`${dialect}: two workers racing on one bulk job run each item once, and the counts add up`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const ledger = new Ledger();
    const byWorker: [number, number] = [0, 0];
    const first = worker(database.db, ledger.action({ hang: async () => void byWorker[0]++ }));
    const second = worker(database.db, ledger.action({ hang: async () => void byWorker[1]++ }));
    const job = await first.service.create({ action: 'touch', ids: ids(120) }, staff);
    t.like(job, { state: 'running', counts: { total: 120, left: 120, done: 0 } });

    await Promise.all([runUntilDone(first, job.id), runUntilDone(second, job.id)]);

    t.deepEqual(
      [...ledger.runs.values()].filter((n) => n !== 1),
      [],
      'no item ran twice',
    );
    t.is(ledger.runs.size, 120);
    t.true(byWorker[0] > 0 && byWorker[1] > 0, `both workers ran items (${byWorker.join(' and ')})`);
    const done = await first.service.get(job.id);
    t.like(done, {
      state: 'finished',
      counts: { total: 120, done: 103, skipped: 17, failed: 0, cancelled: 0, left: 0 },
    });
    const skipped = await first.service.items(job.id, { state: 'skipped', limit: 100 });
    t.is(skipped.length, 17);
    t.like(skipped[0], { targetId: 7, resultCode: 'invalid_state', result: 'not now' });
    const events = await new AuditStore().history(database.db, 'bulk_job', job.id);
    t.deepEqual(
      events.map((e) => e.action),
      ['bulk_job.created', 'bulk_job.finished'],
    );
  });

  test(`${dialect}: a worker stopped mid-job: another takes its items once the lease lapses, acts on none twice, and the counts stay exact`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const ledger = new Ledger();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let reached!: () => void;
    const atTheHang = new Promise<void>((resolve) => {
      reached = resolve;
    });
    // The first worker hangs on target 25 (in its third batch), as a process that stopped there.
    const dying = worker(
      database.db,
      ledger.action({
        hang: async (targetId) => {
          if (targetId !== 25) return;
          reached();
          await stopped;
        },
      }),
    );
    const job = await dying.service.create({ action: 'touch', ids: ids(60) }, staff);
    const dyingRun = dying.engine.run(job.id);
    await atTheHang;
    const midway = await dying.service.get(job.id);
    t.true(midway.counts.left > 0 && midway.counts.left < 60, 'the first worker wrote some items');

    // Before the lease lapses, the second worker leaves the held items alone.
    const early = worker(database.db, ledger.action());
    await early.engine.run(job.id);
    const held = await early.service.items(job.id, { state: 'running', limit: 100 });
    t.true(held.length > 0, 'the dead worker still holds its batch');

    // After it: the held items are taken again and the job finishes.
    const later = worker(database.db, ledger.action(), () => Date.now() + 2 * leaseMs);
    await runUntilDone(later, job.id);
    t.deepEqual(
      [...ledger.acts.values()].filter((n) => n !== 1),
      [],
      'no target acted on twice',
    );
    t.is(ledger.acts.size, 60);
    t.true(
      [...ledger.runs.values()].some((n) => n === 2),
      'items of the stopped batch ran again',
    );

    // The stopped worker wakes up: its late writes change nothing.
    stop();
    await dyingRun;
    const done = await later.service.get(job.id);
    t.like(done, { state: 'finished', counts: { total: 60, left: 0, failed: 0, cancelled: 0 } });
    t.is(done.counts.done + done.counts.skipped, 60);
  });

  test(`${dialect}: cancel: items not started are cancelled at once, the one in flight finishes, and the job ends`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const ledger = new Ledger();
    let feature!: BulkJobsFeature;
    let jobId = 0;
    // Staff cancel while item 3 runs.
    feature = worker(
      database.db,
      ledger.action({
        hang: async (targetId) => {
          if (targetId !== 3) return;
          const cancelled = await feature.service.cancel(jobId, staff);
          t.is(cancelled.state, 'cancelled');
          t.is(cancelled.finishedAt, null, 'items are still in flight');
        },
      }),
    );
    const job = await feature.service.create({ action: 'touch', ids: ids(500) }, staff);
    jobId = job.id;
    await feature.engine.run(job.id);

    const done = await feature.service.get(job.id);
    t.is(done.state, 'cancelled');
    t.not(done.finishedAt, null);
    t.is(done.counts.left, 0);
    t.is(done.counts.done + done.counts.skipped, ledger.runs.size, 'what ran is counted');
    t.true(ledger.runs.size <= 10, 'nothing after the batch in flight ran');
    t.is(done.counts.cancelled, 500 - ledger.runs.size);
    const again = await feature.service.cancel(job.id, staff).catch((err: { status: number }) => err);
    t.is((again as { status: number }).status, 409);
    const events = await new AuditStore().history(database.db, 'bulk_job', job.id);
    t.deepEqual(
      events.map((e) => [e.action, e.data]),
      [
        ['bulk_job.created', { action: 'touch', count: 500 }],
        ['bulk_job.cancelled', { action: 'touch', cancelledItems: 490 }],
      ],
    );
  });

  test(`${dialect}: a destructive action needs the count confirmed; bad selections name their field`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const feature = worker(database.db, new Ledger().action({ name: 'wipe', destructive: true }));
    const refused = await feature.service
      .create({ action: 'wipe', ids: [1, 2, 3] }, staff)
      .catch((err: { status: number; details: unknown }) => err);
    t.like(refused, { status: 409, details: { count: 3, confirm: null } });
    const wrong = await feature.service
      .create({ action: 'wipe', ids: [1, 2, 3], confirm: 4 }, staff)
      .catch((err: { status: number; details: unknown }) => err);
    t.like(wrong, { status: 409, details: { count: 3, confirm: 4 } });
    t.is(Number((await database.db('bulk_jobs').count({ n: '*' }).first())?.n), 0, 'nothing was created');
    const created = await feature.service.create({ action: 'wipe', ids: [1, 2, 3], confirm: 3 }, staff);
    t.is(created.counts.total, 3);

    const field = async (input: Parameters<typeof feature.service.create>[0]) =>
      (
        (await feature.service.create(input, staff).catch((err: { details: unknown }) => err)) as {
          details: { fields: Array<{ field: string }> };
        }
      ).details.fields[0]?.field;
    t.is(await field({ action: 'nope', ids: [1] }), 'action');
    t.is(await field({ action: 'wipe' }), 'filter');
    t.is(await field({ action: 'wipe', ids: [1], filter: {} }), 'filter');
    t.is(await field({ action: 'wipe', filter: { status: 'x' } }), 'filter');
    t.is(await field({ action: 'wipe', filter: {} }), 'filter', 'a filter that selects nothing');
  });
}
