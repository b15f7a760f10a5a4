import type { TestFn } from 'ava';
import { systemActor } from '../../src/kernel/actor.js';
import type { AuditWriter } from '../../src/features/audit/audit-store.js';
import { applyBatchTransition } from '../../src/features/audit/batch-transition.js';
import { applyTransition } from '../../src/features/audit/transition.js';
import type { OrderStore } from '../../src/features/orders/order-store.js';
import type { DbOrTx } from '../../src/infra/db/database.js';
import { isUniqueViolation } from '../../src/infra/db/transaction.js';

/** One store under test, with what its orders refer to (a customer, a plan, two stores' token ids). */
export interface OrderStoreRig {
  db: DbOrTx;
  store: OrderStore;
  audit: AuditWriter;
  customerId: number;
  planId: number;
  storeIds: [number, number];
}

/**
 * What every `OrderStore` does, on knex (SQLite and MariaDB) and in memory. Rigs may share a
 * database: each has its own customer and stores, and the tests use references of their own.
 */
export function runOrderStoreContract(test: TestFn, label: string, rig: () => Promise<OrderStoreRig>): void {
  const order = (r: OrderStoreRig, reference: string, placedByTokenId: number | null = null) => ({
    reference,
    customerId: r.customerId,
    planId: r.planId,
    period: 12,
    placedByTokenId,
  });

  test(`${label}: an order reads back as placed, by id and by its reference in its store's namespace`, async (t) => {
    const r = await rig();
    const id = await r.store.insert(r.db, order(r, 'ref-1'));
    const stored = await r.store.get(r.db, id);
    t.like(stored, { id, reference: 'ref-1', state: 'placed', period: 12, paymentReference: null, paidAt: null });
    t.is((await r.store.getByReference(r.db, null, 'ref-1'))?.id, id);
    t.is(await r.store.getByReference(r.db, r.storeIds[0], 'ref-1'), undefined);
    t.is(await r.store.get(r.db, id + 1000), undefined);
  });

  test(`${label}: orders are read many at once with their customer; an unknown id is absent`, async (t) => {
    const r = await rig();
    const a = await r.store.insert(r.db, order(r, 'many-a'));
    const b = await r.store.insert(r.db, order(r, 'many-b'));
    const found = await r.store.getManyWithCustomer(r.db, [b, a + 1000, a]);
    t.deepEqual([...found.keys()].sort(), [a, b].sort());
    t.like(found.get(a), { order: { id: a, reference: 'many-a' }, customer: { id: r.customerId } });
    t.like(found.get(b), { order: { id: b, reference: 'many-b' } });
    t.is(typeof found.get(b)?.customer.name, 'string');
    t.deepEqual(await r.store.getManyWithCustomer(r.db, []), new Map());
  });

  test(`${label}: a reference is unique within one namespace and free in another; case counts`, async (t) => {
    const r = await rig();
    const mine = await r.store.insert(r.db, order(r, 'shared', r.storeIds[0]));
    const theirs = await r.store.insert(r.db, order(r, 'shared', r.storeIds[1]));
    t.not(mine, theirs);
    t.is((await r.store.getByReference(r.db, r.storeIds[1], 'shared'))?.id, theirs);
    // Caught by hand: ava does not take better-sqlite3's errors for errors.
    const again = await r.store.insert(r.db, order(r, 'shared', r.storeIds[0])).then(
      () => undefined,
      (err: unknown) => err,
    );
    t.true(isUniqueViolation(again), String(again));
    t.truthy(await r.store.insert(r.db, order(r, 'SHARED', r.storeIds[0])));
  });

  test(`${label}: an order is paid or cancelled once, from placed only`, async (t) => {
    const r = await rig();
    const paidId = await r.store.insert(r.db, order(r, 'p'));
    const cancelledId = await r.store.insert(r.db, order(r, 'c'));
    const move = (m: ReturnType<OrderStore['markPaid']>) =>
      applyTransition(r.db, { audit: r.audit }, m, { actor: systemActor, action: 'order.test' });
    const now = Date.parse('2030-01-02T03:04:05.000Z');
    t.true(await move(r.store.markPaid(paidId, 'pay-1', now)));
    t.is(await move(r.store.markPaid(paidId, 'pay-2', now)), undefined);
    t.is(await move(r.store.markCancelled(paidId, now)), undefined);
    t.like(await r.store.get(r.db, paidId), {
      state: 'paid',
      paymentReference: 'pay-1',
      paidAt: '2030-01-02T03:04:05.000Z',
    });
    t.true(await move(r.store.markCancelled(cancelledId, now)));
    t.is(await move(r.store.markPaid(cancelledId, 'pay-3', now)), undefined);
    t.like(await r.store.get(r.db, cancelledId), { state: 'cancelled', cancelledAt: '2030-01-02T03:04:05.000Z' });
  });

  test(`${label}: many orders are paid in one move, each with its reference; those paid or cancelled first are left out`, async (t) => {
    const r = await rig();
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push(await r.store.insert(r.db, order(r, `m-${i}`)));
    const [free, alsoFree, paid, cancelled] = ids as [number, number, number, number];
    const now = Date.parse('2030-01-02T03:04:05.000Z');
    const one = (m: ReturnType<OrderStore['markPaid']>) =>
      applyTransition(r.db, { audit: r.audit }, m, { actor: systemActor, action: 'order.test' });
    t.true(await one(r.store.markPaid(paid, 'first', now)));
    t.true(await one(r.store.markCancelled(cancelled, now)));
    const moved = await applyBatchTransition(
      r.db,
      { audit: r.audit },
      r.store.markPaidMany(
        ids.map((id) => ({ id, paymentReference: `pay-${id}` })),
        now,
      ),
      { actor: systemActor, action: 'order.test' },
    );
    t.deepEqual(
      [...moved].sort((a, b) => a - b),
      [free, alsoFree],
    );
    t.like(await r.store.get(r.db, free), {
      state: 'paid',
      paymentReference: `pay-${free}`,
      paidAt: '2030-01-02T03:04:05.000Z',
    });
    t.like(await r.store.get(r.db, alsoFree), { state: 'paid', paymentReference: `pay-${alsoFree}` });
    t.like(await r.store.get(r.db, paid), { state: 'paid', paymentReference: 'first' });
    t.like(await r.store.get(r.db, cancelled), { state: 'cancelled', paymentReference: null });
  });

  test(`${label}: orders list newest first, by customer, store and keyset`, async (t) => {
    const r = await rig();
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push(await r.store.insert(r.db, order(r, `l-${i}`, i % 2 ? r.storeIds[0] : null)));
    const [a, b, c, d] = ids as [number, number, number, number];
    t.deepEqual(
      (await r.store.list(r.db, { limit: 10, customerId: r.customerId })).map((o) => o.id),
      [d, c, b, a],
    );
    t.deepEqual(
      (await r.store.list(r.db, { limit: 10, placedByTokenId: r.storeIds[0] })).map((o) => o.id),
      [d, b],
    );
    t.deepEqual(
      (await r.store.list(r.db, { limit: 2, beforeId: d, customerId: r.customerId })).map((o) => o.id),
      [c, b],
    );
    t.deepEqual(await r.store.list(r.db, { limit: 10, customerId: r.customerId + 1000 }), []);
  });
}
