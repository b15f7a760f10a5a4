import type { TestFn } from 'ava';
import { systemActor } from '../../src/kernel/actor.js';
import type { AuditWriter } from '../../src/features/audit/audit-store.js';
import { applyTransition, type GuardedMove } from '../../src/features/audit/transition.js';
import type { ServiceStore } from '../../src/features/services/service-store.js';
import type { DbOrTx } from '../../src/infra/db/database.js';

/** One store under test; `subscription` makes a provisioning subscription with pending services due now. */
export interface ServiceStoreRig {
  db: DbOrTx;
  store: ServiceStore;
  audit: AuditWriter;
  subscription(
    services: Array<{ key: string; dependsOn?: string[] }>,
  ): Promise<{ subscriptionId: number; ids: Record<string, number> }>;
}

/**
 * What every `ServiceStore` does, on knex (SQLite and MariaDB) and in memory. Rigs may share a
 * database, so the listing tests look only at their own subscriptions.
 */
export function runServiceStoreContract(test: TestFn, label: string, rig: () => Promise<ServiceStoreRig>): void {
  const apply = (r: ServiceStoreRig, move: GuardedMove) =>
    applyTransition(r.db, { audit: r.audit }, move, { actor: systemActor, action: 'service.test' });

  test(`${label}: a claim counts the attempt and holds until its end; a stale attempt loses`, async (t) => {
    const r = await rig();
    const { ids } = await r.subscription([{ key: 'a' }]);
    const id = ids.a as number;
    const now = Date.now();
    t.true(await apply(r, r.store.claim({ id, state: 'pending', attempts: 0 }, now + 60_000, now)));
    t.like(await r.store.get(r.db, id), {
      state: 'provisioning',
      attempts: 1,
      nextAttemptAt: new Date(now + 60_000).toISOString(),
    });
    t.is(await apply(r, r.store.claim({ id, state: 'pending', attempts: 0 }, now + 60_000, now)), undefined);
    t.is(await apply(r, r.store.markReady({ id, state: 'provisioning', attempts: 0 }, now)), undefined);
    t.true(await apply(r, r.store.markReady({ id, state: 'provisioning', attempts: 1 }, now)));
    t.like(await r.store.get(r.db, id), { state: 'ready', nextAttemptAt: null, readyAt: new Date(now).toISOString() });
  });

  test(`${label}: a retry keeps its error and due time; failed keeps the error; reset starts over`, async (t) => {
    const r = await rig();
    const { ids } = await r.subscription([{ key: 'a' }]);
    const id = ids.a as number;
    const now = Date.now();
    const error = { message: '503', code: 'http_503', retryable: true, attempt: 1 };
    await apply(r, r.store.claim({ id, state: 'pending', attempts: 0 }, now + 60_000, now));
    t.true(await apply(r, r.store.scheduleRetry({ id, state: 'provisioning', attempts: 1 }, error, now + 5000, now)));
    t.like(await r.store.get(r.db, id), {
      state: 'pending',
      attempts: 1,
      lastError: error,
      nextAttemptAt: new Date(now + 5000).toISOString(),
    });
    await apply(r, r.store.claim({ id, state: 'pending', attempts: 1 }, now + 60_000, now));
    t.true(await apply(r, r.store.markFailed({ id, state: 'provisioning' }, { ...error, retryable: false }, now)));
    t.like(await r.store.get(r.db, id), { state: 'failed', nextAttemptAt: null, lastError: { retryable: false } });
    t.is(await apply(r, r.store.reset({ id, state: 'pending' }, now)), undefined);
    t.true(await apply(r, r.store.reset({ id, state: 'failed' }, now)));
    t.like(await r.store.get(r.db, id), { state: 'pending', attempts: 0 });
  });

  test(`${label}: due lists pending services due and provisioning ones whose hold lapsed`, async (t) => {
    const r = await rig();
    const { ids } = await r.subscription([{ key: 'due' }, { key: 'later' }, { key: 'lapsed' }, { key: 'held' }]);
    const now = Date.now();
    const claim = (key: string, until: number) =>
      apply(r, r.store.claim({ id: ids[key] as number, state: 'pending', attempts: 0 }, until, now));
    await claim('later', now + 60_000);
    await apply(
      r,
      r.store.scheduleRetry(
        { id: ids.later as number, state: 'provisioning' },
        { message: 'x', code: 'x', retryable: true },
        now + 60_000,
        now,
      ),
    );
    await claim('lapsed', now - 1);
    await claim('held', now + 60_000);
    const mine = new Set(Object.values(ids));
    const due = (await r.store.listDue(r.db, now, 1000)).filter((s) => mine.has(s.id)).map((s) => s.key);
    t.deepEqual(due.sort(), ['due', 'lapsed']);
    const [first] = (await r.store.listDue(r.db, now, 1000)).filter((s) => mine.has(s.id));
    const after = await r.store.listDue(r.db, now, 1000, first?.id);
    t.false(after.some((s) => s.id === first?.id));
  });

  test(`${label}: a provisioning subscription with every service ready is found until it moves on`, async (t) => {
    const r = await rig();
    const done = await r.subscription([{ key: 'a' }]);
    const open = await r.subscription([{ key: 'a' }, { key: 'b' }]);
    const now = Date.now();
    for (const sub of [done, open]) {
      const id = sub.ids.a as number;
      await apply(r, r.store.claim({ id, state: 'pending', attempts: 0 }, now + 60_000, now));
      await apply(r, r.store.markReady({ id, state: 'provisioning' }, now));
    }
    const allReady = await r.store.listSubscriptionsAllReady(r.db);
    t.true(allReady.includes(done.subscriptionId));
    t.false(allReady.includes(open.subscriptionId));
    t.is(await r.store.subscriptionState(r.db, done.subscriptionId), 'provisioning');
    t.deepEqual(
      (await r.store.listBySubscription(r.db, open.subscriptionId)).map((s) => [s.key, s.state]),
      [
        ['a', 'ready'],
        ['b', 'pending'],
      ],
    );
  });
}
