import test from 'ava';
import type { Actor } from '../../../src/kernel/actor.js';
import { FakeAuditStore } from '../../../src/features/audit/audit-store-fake.js';
import { FakeEventWriter } from '../../../src/features/events/event-writer-fake.js';
import { FakeCustomerStore } from '../../../src/features/customers/customer-store-fake.js';
import { FakeLicenseRequestStore } from '../../../src/features/license-requests/license-request-store-fake.js';
import { type CreatedSubscription, OrderService } from '../../../src/features/orders/order-service.js';
import { FakeOrderStore } from '../../../src/features/orders/order-store-fake.js';
import { FakePlanStore } from '../../../src/features/plans/plan-store-fake.js';
import { FakeSubscriptionStore } from '../../../src/features/subscriptions/subscription-store-fake.js';
import { ConflictError, ValidationError } from '../../../src/errors/app-error.js';
import { fakeDb } from '../../../src/infra/db/fake-db.js';

const staff: Actor = { type: 'staff', id: '1', name: 'ann' };

function setUp() {
  const subscriptions = new FakeSubscriptionStore();
  const orders = new FakeOrderStore((orderId) => subscriptions.ofOrder(orderId));
  const plans = new FakePlanStore();
  const customers = new FakeCustomerStore();
  const licenseRequests = new FakeLicenseRequestStore();
  const audit = new FakeAuditStore();
  const events = new FakeEventWriter();
  const created: CreatedSubscription[] = [];
  const service = new OrderService({
    db: fakeDb(),
    orders,
    plans,
    customers,
    subscriptions,
    licenseRequests,
    audit,
    events,
    onSubscriptionCreated: async (c) => {
      created.push(c);
    },
  });
  const customer = customers.add('acme');
  return { service, orders, plans, customers, subscriptions, licenseRequests, audit, events, created, customer };
}

test('placing an order twice with one reference answers the first order; another order with it is refused', async (t) => {
  const { service, plans, customer } = setUp();
  const plan = plans.add({ code: 'basic', periods: [12] });
  const input = { customerId: customer.id, planId: plan.id, period: 12, reference: 'r-1', placedByTokenId: null };
  const first = await service.place(input, staff);
  const again = await service.place(input, staff);
  t.true(first.created);
  t.false(again.created);
  t.is(again.order.id, first.order.id);
  const other = plans.add({ code: 'other', periods: [12] });
  const reused = await t.throwsAsync(() => service.place({ ...input, planId: other.id }, staff), {
    instanceOf: ConflictError,
  });
  t.is(reused.code, 'reference_reused');
});

test('an order for an unknown customer, an unknown plan or a period the plan does not sell names the field', async (t) => {
  const { service, plans, customer } = setUp();
  const plan = plans.add({ code: 'basic', periods: [12] });
  const fieldOf = async (input: Parameters<OrderService['place']>[0]) => {
    const err = await t.throwsAsync(() => service.place(input, staff), { instanceOf: ValidationError });
    const fields = (err.details?.fields ?? []) as Array<{ field: string }>;
    return fields[0]?.field;
  };
  const base = { customerId: customer.id, planId: plan.id, period: 12, reference: 'r', placedByTokenId: null };
  t.is(await fieldOf({ ...base, customerId: 42 }), 'customerId');
  t.is(await fieldOf({ ...base, planId: 42 }), 'planId');
  t.is(await fieldOf({ ...base, period: 24 }), 'period');
});

test("a store cannot order for another store's customer", async (t) => {
  const { service, plans, customers } = setUp();
  const plan = plans.add({ code: 'basic' });
  const theirs = customers.add('theirs', 7);
  await t.throwsAsync(
    () =>
      service.place({ customerId: theirs.id, planId: plan.id, period: 12, reference: 'r', placedByTokenId: 8 }, staff),
    { instanceOf: ValidationError },
  );
});

test('paying creates the subscription, its services and pending license requests in one audited change', async (t) => {
  const { service, plans, customer, subscriptions, licenseRequests, audit, created } = setUp();
  const plan = plans.add({
    code: 'hosting',
    services: [{ key: 'site', kind: 'web', provisioner: 'manual', settings: {}, dependsOn: [] }],
    licenseProducts: [{ product: 'PLESK', serviceKey: 'site' }],
  });
  const { order } = await service.place(
    { customerId: customer.id, planId: plan.id, period: 12, reference: 'r', placedByTokenId: null },
    staff,
  );
  const paid = await service.pay(order, 'pay-1', staff);
  t.true(paid.created);
  t.is(paid.order.state, 'paid');
  const subscription = subscriptions.subscriptions.get(paid.subscriptionId);
  t.is(subscription?.state, 'provisioning');
  t.deepEqual(
    subscription?.services.map((s) => s.state),
    ['pending'],
  );
  t.deepEqual(
    [...licenseRequests.requests.values()].map((r) => [r.product, r.state, r.serviceId]),
    [['PLESK', 'pending', subscription?.services[0]?.id]],
  );
  t.deepEqual(audit.trail('order', order.id), ['order.placed:>placed', 'order.paid:placed>paid']);
  t.deepEqual(created, [{ subscriptionId: paid.subscriptionId, servicesReady: false, readyRequestIds: [] }]);
});

test('a plan of instant services is active at payment and its license requests ready, with the release trail', async (t) => {
  const { service, plans, customer, subscriptions, audit, events, created } = setUp();
  const plan = plans.add({
    code: 'instant',
    services: [
      { key: 'a', kind: 'dns', provisioner: 'instant', settings: {}, dependsOn: [] },
      { key: 'b', kind: 'web', provisioner: 'instant', settings: {}, dependsOn: ['a'] },
    ],
    licenseProducts: [{ product: 'PLESK' }],
  });
  const { order } = await service.place(
    { customerId: customer.id, planId: plan.id, period: 12, reference: 'r', placedByTokenId: null },
    staff,
  );
  const paid = await service.pay(order, 'pay-1', staff);
  t.is(subscriptions.subscriptions.get(paid.subscriptionId)?.state, 'active');
  t.deepEqual(created[0]?.readyRequestIds, [1]);
  t.deepEqual(audit.trail('license_request', 1), [
    'license_request.created:>pending',
    'license_request.ready:pending>ready',
  ]);
  t.deepEqual(audit.trail('subscription', paid.subscriptionId), [
    'subscription.created:>provisioning',
    'subscription.services_ready:provisioning>active',
  ]);
  // Told in the payment's transaction, the payment before the activation it caused.
  t.deepEqual(events.trail(), [
    `order.paid order:${order.id}`,
    `subscription.activated subscription:${paid.subscriptionId}`,
  ]);
});

test('paying again is a no-op answering the same subscription; another payment reference or a cancelled order is refused', async (t) => {
  const { service, plans, customer, created } = setUp();
  const plan = plans.add({ code: 'basic' });
  const place = (reference: string) =>
    service.place({ customerId: customer.id, planId: plan.id, period: 12, reference, placedByTokenId: null }, staff);
  const { order } = await place('r-1');
  const first = await service.pay(order, 'pay-1', staff);
  const again = await service.pay(order, 'pay-1', staff);
  t.false(again.created);
  t.is(again.subscriptionId, first.subscriptionId);
  t.is(created.length, 1);
  const other = await t.throwsAsync(() => service.pay(order, 'pay-2', staff), { instanceOf: ConflictError });
  t.is(other.code, 'already_paid');

  const { order: second } = await place('r-2');
  t.is((await service.cancel(second.id, staff)).state, 'cancelled');
  const cancelled = await t.throwsAsync(() => service.pay(second, 'pay-3', staff), { instanceOf: ConflictError });
  t.is(cancelled.code, 'order_cancelled');
});

test('a paid order cannot be cancelled', async (t) => {
  const { service, plans, customer, audit } = setUp();
  const plan = plans.add({ code: 'basic' });
  const { order } = await service.place(
    { customerId: customer.id, planId: plan.id, period: 12, reference: 'r', placedByTokenId: null },
    staff,
  );
  await service.pay(order, 'pay-1', staff);
  const refused = await t.throwsAsync(() => service.cancel(order.id, staff), { instanceOf: ConflictError });
  t.is(refused.code, 'order_paid');
  t.deepEqual(audit.trail('order', order.id), ['order.placed:>placed', 'order.paid:placed>paid']);
});
