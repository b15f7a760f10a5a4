import test from 'ava';
import { LicenseStore } from '../../src/features/licenses/license-store.js';
import { insertKaConfiguration } from '../helpers/catalog-fixtures.js';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi, type TestApi } from '../helpers/test-server.js';

type Body = Record<string, unknown> & {
  error?: { code: string; message: string; details: { fields?: Array<{ field: string; message: string }> } };
};
type Subscription = Body & { autoRenew: boolean; licenses: Array<Body & { phase: string | null }> };

const DAY = 86_400_000;

for (const dialect of testDialects()) {
  let api: TestApi;
  let configurationId: number;
  let subscriptionId: number;
  let licenseId: number;
  let storeToken: string;
  let customerToken: string;
  let otherCustomerToken: string;
  let viewerToken: string;

  const token = async (role: string, extra: Record<string, unknown> = {}) =>
    (
      await api.request<Body>('POST', '/api/v1/api-tokens', {
        body: { name: `${role} ${Math.random()}`, role, ...extra },
      })
    ).body.token as string;
  const fieldsOf = (body: Body) => body.error?.details.fields?.map((f) => f.field) ?? [];

  test.before(async () => {
    api = await startTestApi(dialect);
    const { db } = api.running.context;
    configurationId = await insertKaConfiguration(db);
    // A plan without licensed products: the license is put in by hand below, no KA needed.
    const plan = await api.request<Body>('POST', '/api/v1/plans', {
      body: { code: 'phases', name: 'Phases', periods: [12], services: [] },
    });
    storeToken = await token('store');
    const customer = await api.request<Body>('POST', '/api/v1/customers', {
      token: storeToken,
      body: { name: 'Ada', email: 'ada@example.com' },
    });
    const other = await api.request<Body>('POST', '/api/v1/customers', {
      body: { name: 'Bob', email: 'bob@example.com' },
    });
    customerToken = await token('customer', { customerId: customer.body.id });
    otherCustomerToken = await token('customer', { customerId: other.body.id });
    viewerToken = await token('viewer');
    const order = await api.request<Body>('POST', '/api/v1/orders', {
      token: storeToken,
      body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference: 'phases-1' },
    });
    const paid = await api.request<Body>('POST', `/api/v1/orders/${order.body.id}/pay`, {
      token: storeToken,
      body: { paymentReference: 'pay-1' },
    });
    subscriptionId = (paid.body.subscription as Body | undefined)?.id as number;
    const subscription = await db('subscriptions').where({ id: subscriptionId }).first();
    const license = await new LicenseStore().insert(db, {
      requestId: null,
      configurationId,
      subscriptionId,
      customerId: customer.body.id as number,
      keyNumber: 'PHASE.00000001',
      product: 'PLESK-WEB-HOST',
      features: [],
      additionalKeyNumbers: [],
      source: 'upload',
      expiresAt: Number(subscription.expires_at),
    });
    licenseId = license.id;
  });
  test.after.always(async () => {
    await api?.close();
  });

  test.serial(
    `${dialect}: a store's subscription renews automatically by default; its license is active`,
    async (t) => {
      const res = await api.request<Subscription>('GET', `/api/v1/subscriptions/${subscriptionId}`);
      t.is(res.status, 200, JSON.stringify(res.body));
      t.true(res.body.autoRenew);
      t.deepEqual(
        res.body.licenses.map((l) => [l.id, l.phase]),
        [[licenseId, 'active']],
      );
    },
  );

  test.serial(
    `${dialect}: the customer and its store turn auto-renew off and on, audited; others cannot; bad input names the field`,
    async (t) => {
      const path = `/api/v1/subscriptions/${subscriptionId}`;
      const off = await api.request<Subscription>('PATCH', path, { token: customerToken, body: { autoRenew: false } });
      t.is(off.status, 200);
      t.false(off.body.autoRenew);
      t.false((await api.request<Subscription>('GET', path)).body.autoRenew);
      const on = await api.request<Subscription>('PATCH', path, { token: storeToken, body: { autoRenew: true } });
      t.true(on.body.autoRenew);

      t.is((await api.request('PATCH', path, { token: otherCustomerToken, body: { autoRenew: false } })).status, 404);
      t.is((await api.request('PATCH', path, { token: viewerToken, body: { autoRenew: false } })).status, 403);
      const bad = await api.request<Body>('PATCH', path, { body: { autoRenew: 'yes' } });
      t.is(bad.status, 400);
      t.deepEqual(fieldsOf(bad.body), ['autoRenew']);
      const unknown = await api.request<Body>('PATCH', path, { body: { autoRenew: true, expiresAt: '2040-01-01' } });
      t.is(unknown.status, 400);
      t.true(JSON.stringify(unknown.body).includes('expiresAt'));
      t.is((await api.request('PATCH', '/api/v1/subscriptions/999999', { body: { autoRenew: true } })).status, 404);

      const audit = await api.running.context
        .db('audit_events')
        .where({ entity_type: 'subscription', entity_id: String(subscriptionId) })
        .whereIn('action', ['subscription.auto_renew_off', 'subscription.auto_renew_on'])
        .orderBy('id');
      t.deepEqual(
        audit.map((e) => [e.action, e.actor_type]),
        [
          ['subscription.auto_renew_off', 'api'],
          ['subscription.auto_renew_on', 'api'],
        ],
      );
      t.true((await api.request<Subscription>('GET', path)).body.autoRenew, 'the refused requests changed nothing');
    },
  );

  test.serial(
    `${dialect}: a subscription whose expiry is set in the past shows its license in grace, and GET /licenses?phase=grace lists it`,
    async (t) => {
      const { db } = api.running.context;
      const past = Date.now() - 3 * DAY;
      await db('subscriptions').where({ id: subscriptionId }).update({ expires_at: past });
      await db('licenses').where({ id: licenseId }).update({ expires_at: past });

      const subscription = await api.request<Subscription>('GET', `/api/v1/subscriptions/${subscriptionId}`);
      t.is(subscription.body.licenses[0]?.phase, 'grace');
      const ids = async (query: string) =>
        ((await api.request<{ data: Body[] }>('GET', `/api/v1/licenses?${query}`)).body.data ?? []).map((l) => l.id);
      t.deepEqual(await ids('phase=grace'), [licenseId]);
      t.deepEqual(await ids('phase=expired'), [licenseId]);
      t.deepEqual(await ids(`phase=grace&configuration=${configurationId}`), [licenseId]);
      t.deepEqual(await ids('phase=active'), []);
      t.deepEqual(await ids('phase=expiring'), []);
      const one = await api.request<Body>('GET', `/api/v1/licenses/${licenseId}`);
      t.is(one.body.phase, 'grace');
      const tabs = await api.request<{ data: Array<Body & { phaseCounts: Body }> }>('GET', '/api/v1/license-tabs');
      t.deepEqual(tabs.body.data.find((tab) => tab.configurationId === configurationId)?.phaseCounts, {
        expiring: 0,
        grace: 1,
      });

      // "expired" is a phase, not a status: the refusal names the field and says where to look.
      const refused = await api.request<Body>('GET', '/api/v1/licenses?status=expired');
      t.is(refused.status, 400);
      t.deepEqual(fieldsOf(refused.body), ['status']);
      t.regex(refused.body.error?.details.fields?.[0]?.message ?? '', /phase=/);
      t.deepEqual(fieldsOf((await api.request<Body>('GET', '/api/v1/licenses?phase=soon')).body), ['phase']);

      // Renewed a year on: active again when read, at once.
      await db('licenses')
        .where({ id: licenseId })
        .update({ expires_at: past + 365 * DAY });
      t.is((await api.request<Body>('GET', `/api/v1/licenses/${licenseId}`)).body.phase, 'active');
      t.deepEqual(await ids('phase=grace'), []);
    },
  );
}
