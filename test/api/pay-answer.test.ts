import test from 'ava';
import { orderSnapshot, subscriptionSnapshot } from '../../src/features/events/event-snapshots.js';
import { insertKaConfiguration } from '../helpers/catalog-fixtures.js';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi, type TestApi } from '../helpers/test-server.js';

type Body = Record<string, unknown>;

// The payment answers its subscription from what it wrote, without reading it back: the answer
// must be what a read gives once it committed. An api process (no worker) so nothing moves after.
for (const dialect of testDialects()) {
  let api: TestApi;
  let customerId: number;
  let configurationId: number;

  test.before(async () => {
    api = await startTestApi(dialect, { KEYWAY_ROLE: 'api' });
    configurationId = await insertKaConfiguration(api.running.context.db);
    const customer = await api.request<Body>('POST', '/api/v1/customers', {
      body: { name: 'Grace Hopper', email: 'grace@example.com', externalRef: 'crm-1906' },
    });
    customerId = customer.body.id as number;
  });
  test.after.always(async () => {
    await api?.close();
  });

  const payNew = async (code: string, plan: Body) => {
    const created = await api.request<Body>('POST', '/api/v1/plans', {
      body: { code, name: code, periods: [12], ...plan },
    });
    if (created.status !== 201) throw new Error(`plan ${code}: ${JSON.stringify(created.body)}`);
    const order = await api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId, planId: created.body.id, period: 12, reference: `order-${code}` },
    });
    const paid = await api.request<{ subscription: Body & { id: number } }>(
      'POST',
      `/api/v1/orders/${order.body.id}/pay`,
      { body: { paymentReference: `pay-${code}` } },
    );
    return paid;
  };

  for (const [code, name, plan] of [
    [
      'all-instant',
      'every service instant: active, its requests ready',
      () => ({
        services: [{ key: 'dns', kind: 'dns', provisioner: 'instant' }],
        licenseProducts: [
          { configurationId, product: 'PLESK-WEB-HOST', features: ['wp-toolkit'] },
          { configurationId, product: 'PLESK-WEB-ADMIN', serviceKey: 'dns' },
        ],
      }),
    ],
    [
      'with-manual',
      'a manual service: provisioning, its requests pending',
      () => ({
        services: [
          { key: 'dns', kind: 'dns', provisioner: 'instant' },
          { key: 'account', kind: 'account', provisioner: 'manual' },
          { key: 'site', kind: 'site', provisioner: 'instant', dependsOn: ['account'] },
        ],
        licenseProducts: [{ configurationId, product: 'PLESK-WEB-HOST', serviceKey: 'site' }],
      }),
    ],
  ] as const) {
    test.serial(`${dialect}: the payment's answer is the subscription as a read gives it (${name})`, async (t) => {
      const paid = await payNew(code, plan());
      t.is(paid.status, 201, JSON.stringify(paid.body));
      const read = await api.request<Body>('GET', `/api/v1/subscriptions/${paid.body.subscription.id}`);
      t.deepEqual(paid.body.subscription, read.body);
      // Paying again answers the same, read this time.
      const again = await api.request<{ subscription: Body }>(
        'POST',
        `/api/v1/orders/${paid.body.subscription.orderId}/pay`,
        { body: { paymentReference: `pay-${code}` } },
      );
      t.is(again.status, 200);
      t.deepEqual(again.body.subscription, read.body);

      // The events it told carry, built from what the payment wrote, the snapshots a read gives.
      const db = api.running.context.db;
      const told = await db('outbox_events')
        .whereIn('type', ['order.paid', 'subscription.activated'])
        .whereIn('entity_id', [String(paid.body.subscription.orderId), String(paid.body.subscription.id)])
        .select('type', 'entity_id', 'payload');
      const payloadOf = (type: string) => JSON.parse(told.find((e) => e.type === type)?.payload ?? 'null');
      t.deepEqual(payloadOf('order.paid'), await orderSnapshot(db, paid.body.subscription.orderId as number));
      if (paid.body.subscription.state === 'active')
        t.deepEqual(payloadOf('subscription.activated'), await subscriptionSnapshot(db, paid.body.subscription.id));
      else t.is(payloadOf('subscription.activated'), null);
    });
  }
}
