import test from 'ava';
import { ConflictError } from '../../../src/errors/app-error.js';
import { AuditStore } from '../../../src/features/audit/audit-store.js';
import { CustomerStore } from '../../../src/features/customers/customer-store.js';
import { orderSnapshot, paymentSnapshots, subscriptionSnapshot } from '../../../src/features/events/event-snapshots.js';
import { outboxEventWriter } from '../../../src/features/events/record-event.js';
import { LicenseRequestStore } from '../../../src/features/license-requests/license-request-store.js';
import { type CreatedSubscription, OrderService } from '../../../src/features/orders/order-service.js';
import { KnexOrderStore, type Order } from '../../../src/features/orders/order-store.js';
import { PlanStore } from '../../../src/features/plans/plan-store.js';
import { SubscriptionStore } from '../../../src/features/subscriptions/subscription-store.js';
import type { Actor } from '../../../src/kernel/actor.js';
import { insertKaConfiguration } from '../../helpers/catalog-fixtures.js';
import { testDialects, useTestDatabase } from '../../helpers/test-database.js';

// Concurrent payments share one transaction (a group commit). Each must come out exactly as if
// it had been paid alone: its own subscription, services, requests and references, its own
// audit trail and events, its own answer, and the outcome of its own race.
for (const dialect of testDialects()) {
  const database = useTestDatabase(dialect);
  let rig = 0;

  const product = (configurationId: number, name: string, more: { features?: string[]; serviceKey?: string } = {}) => ({
    configurationId,
    product: name,
    features: more.features ?? [],
    serviceKey: more.serviceKey,
    quantity: 1,
    saas: false,
    packSize: 1,
    minPacks: 1,
    allowDecrease: true,
  });

  const setUp = async () => {
    const db = database.db;
    const n = rig++;
    const orders = new KnexOrderStore();
    const plans = new PlanStore();
    const customers = new CustomerStore();
    const created: CreatedSubscription[] = [];
    const service = new OrderService({
      db,
      orders,
      plans,
      customers,
      subscriptions: new SubscriptionStore(),
      licenseRequests: new LicenseRequestStore(),
      audit: new AuditStore(),
      events: outboxEventWriter,
      paymentSnapshots,
      onSubscriptionCreated: async (c) => {
        created.push(c);
      },
    });
    const configurationId = await insertKaConfiguration(db, `KA ${n}`);
    const customerId = await customers.insert(db, { name: `Customer ${n}`, email: `c${n}@example.test` });
    const instant = await plans.insert(db, {
      code: `instant-${n}`,
      name: 'Instant',
      periods: [12],
      services: [{ key: 'dns', kind: 'dns', provisioner: 'instant', settings: {}, dependsOn: [] }],
      licenseProducts: [
        product(configurationId, 'PLESK-WEB-HOST', { features: ['wp-toolkit'], serviceKey: 'dns' }),
        product(configurationId, 'PLESK-WEB-ADMIN'),
      ],
    });
    const manual = await plans.insert(db, {
      code: `manual-${n}`,
      name: 'Manual',
      periods: [12],
      services: [
        { key: 'account', kind: 'account', provisioner: 'manual', settings: {}, dependsOn: [] },
        { key: 'site', kind: 'site', provisioner: 'instant', settings: {}, dependsOn: ['account'] },
      ],
      licenseProducts: [product(configurationId, 'PLESK-WEB-PRO', { serviceKey: 'site' })],
    });
    const place = async (reference: string, planId: number) => {
      const { order } = await service.place({ customerId, planId, period: 12, reference, placedByTokenId: null }, ann);
      const found = await service.orderToPay(order.id);
      return found as { order: Order; customer: NonNullable<typeof found>['customer'] };
    };
    return { db, service, orders, created, instant, manual, place, n };
  };

  const ann: Actor = { type: 'staff', id: '1', name: 'ann' };
  const bob: Actor = { type: 'staff', id: '2', name: 'bob' };

  // Serial: it counts every statement on the database.
  test.serial(`${dialect}: concurrent payments are written together, each as if paid alone`, async (t) => {
    const { db, service, created, instant, manual, place, n } = await setUp();
    const placed = [];
    for (let i = 0; i < 12; i++) placed.push(await place(`b${n}-${i}`, i % 3 ? instant : manual));
    let statements = 0;
    const count = () => statements++;
    db.on('query', count);
    // Submitted in one tick: the first is written alone at once, the other eleven in one batch.
    const results = await Promise.all(
      placed.map(({ order, customer }, i) => service.pay(order, `pay-${order.id}`, i % 2 ? ann : bob, customer)),
    ).finally(() => db.off('query', count));
    // Alone, a payment takes ten statements; the eleven together take about as many as one.
    t.true(statements <= 30, `${statements} statements for 12 payments`);
    t.is(created.length, 12);

    for (const [i, result] of results.entries()) {
      const { order } = placed[i] as (typeof placed)[number];
      t.true(result.created);
      t.like(result.order, { id: order.id, state: 'paid', paymentReference: `pay-${order.id}` });
      const subscription = await db('subscriptions').where({ order_id: order.id }).first();
      t.is(result.subscriptionId, Number(subscription.id));
      t.is(result.written?.subscription.id, Number(subscription.id));
      // Services and requests belong to their own subscription, as written and as answered.
      const services = await db('services').where({ subscription_id: subscription.id }).orderBy('id');
      t.deepEqual(
        result.written?.services.map((s) => [s.id, s.key, s.state]),
        services.map((s) => [Number(s.id), s.key, s.state]),
      );
      const requests = await db('license_requests').where({ subscription_id: subscription.id }).orderBy('id');
      t.deepEqual(
        result.written?.licenseRequests.map((r) => [r.id, r.product, r.state, r.reference, r.serviceId]),
        requests.map((r) => [Number(r.id), r.product, r.state, r.reference, r.service_id && Number(r.service_id)]),
      );
      for (const r of requests) t.regex(r.reference, new RegExp(`^kw-[a-z2-7]+-${r.id}$`));
      const site = services.find((s) => s.key === (order.planId === manual ? 'site' : 'dns'));
      t.is(Number(requests[0].service_id), Number(site.id));

      // Its audit trail names its own actor and reference; its events carry what a read gives.
      const trail = await db('audit_events')
        .where({ entity_type: 'order', entity_id: String(order.id) })
        .orderBy('id');
      const paidEvent = trail.find((e) => e.action === 'order.paid');
      t.is(paidEvent.actor_name, i % 2 ? 'ann' : 'bob');
      t.deepEqual(JSON.parse(paidEvent.data), {
        paymentReference: `pay-${order.id}`,
        subscriptionId: Number(subscription.id),
      });
      const told = await db('outbox_events')
        .where((w) =>
          w
            .where({ type: 'order.paid', entity_id: String(order.id) })
            .orWhere({ type: 'subscription.activated', entity_id: String(subscription.id) }),
        )
        .orderBy('id');
      t.deepEqual(JSON.parse(told[0].payload), await orderSnapshot(db, order.id));
      if (order.planId === instant) {
        t.is(subscription.state, 'active');
        t.is(told[1]?.type, 'subscription.activated');
        t.deepEqual(JSON.parse(told[1].payload), await subscriptionSnapshot(db, Number(subscription.id)));
        const releases = await db('audit_events')
          .where({ entity_type: 'license_request', action: 'license_request.ready' })
          .whereIn(
            'entity_id',
            requests.map((r) => String(r.id)),
          );
        t.is(releases.length, 2);
      } else {
        t.is(subscription.state, 'provisioning');
        t.is(told.length, 1);
      }
    }
  });

  test(`${dialect}: in one batch, a cancelled order, a second payment of one order and a repeated payment each get their own answer`, async (t) => {
    const { db, service, orders, instant, place, n } = await setUp();
    const first = await place(`r${n}-first`, instant);
    const twice = await place(`r${n}-twice`, instant);
    const cancelled = await place(`r${n}-cancelled`, instant);
    const plain = await place(`r${n}-plain`, instant);
    await service.cancel(cancelled.order.id, ann);
    // `cancelled.order` is as read before the cancel: stale, as a racing payment holds it.
    const results = await Promise.allSettled([
      service.pay(first.order, 'one', ann, first.customer),
      service.pay(twice.order, 'a', ann, twice.customer),
      service.pay(twice.order, 'b', ann, twice.customer),
      service.pay(twice.order, 'a', ann, twice.customer),
      service.pay(cancelled.order, 'c', ann, cancelled.customer),
      service.pay(plain.order, 'p', ann, plain.customer),
    ]);
    const [, a, b, aAgain, c, p] = results;
    t.like(a, { status: 'fulfilled', value: { created: true } });
    t.is(b.status === 'rejected' && (b.reason as ConflictError).code, 'already_paid');
    // The same payment twice: the second answers the subscription the first made.
    t.like(aAgain, { status: 'fulfilled', value: { created: false } });
    t.is(
      aAgain.status === 'fulfilled' && a.status === 'fulfilled' && aAgain.value.subscriptionId,
      a.status === 'fulfilled' && a.value.subscriptionId,
    );
    t.true(c.status === 'rejected' && c.reason instanceof ConflictError && c.reason.code === 'order_cancelled');
    t.like(p, { status: 'fulfilled', value: { created: true } });
    t.is(Number((await db('subscriptions').where({ order_id: twice.order.id }).count({ n: '*' }))[0]?.n), 1);
    t.is(Number((await db('subscriptions').where({ order_id: cancelled.order.id }).count({ n: '*' }))[0]?.n), 0);
    t.like(await orders.get(db, twice.order.id), { state: 'paid', paymentReference: 'a' });
  });

  test(`${dialect}: a batch whose transaction fails is paid order by order; only the order that cannot be paid fails`, async (t) => {
    const { db, service, instant, place, n } = await setUp();
    const good = await place(`f${n}-good`, instant);
    const broken = await place(`f${n}-broken`, instant);
    const alsoGood = await place(`f${n}-also`, instant);
    // A subscription already exists for a still placed order: its insert breaks the unique
    // index and rolls back the whole batch.
    const now = Date.now();
    await db('subscriptions').insert({
      order_id: broken.order.id,
      customer_id: broken.order.customerId,
      plan_id: instant,
      period_months: 12,
      state: 'active',
      starts_at: now,
      expires_at: now,
      created_at: now,
      updated_at: now,
    });
    const opener = await place(`f${n}-opener`, instant);
    const [openerPaid, ...results] = await Promise.allSettled([
      service.pay(opener.order, 'o', ann, opener.customer),
      service.pay(good.order, 'g', ann, good.customer),
      service.pay(broken.order, 'x', ann, broken.customer),
      service.pay(alsoGood.order, 'g2', ann, alsoGood.customer),
    ]);
    t.is(openerPaid.status, 'fulfilled');
    const [g, x, g2] = results;
    t.like(g, { status: 'fulfilled', value: { created: true } });
    t.is(x?.status, 'rejected');
    t.like(g2, { status: 'fulfilled', value: { created: true } });
    t.is((await db('orders').where({ id: broken.order.id }).first()).state, 'placed');
    const trail = await db('audit_events').where({ entity_type: 'order', entity_id: String(broken.order.id) });
    t.deepEqual(
      trail.map((e) => e.action),
      ['order.placed'],
    );
  });
}
