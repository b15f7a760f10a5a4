import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { startTestApi } from '../helpers/test-server.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;

test('the demo starts every reference KA a plugin declares; the README order installs one license per plugin, and a restart adds a new plugin to the plan', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-demo-'));
  const env = { KEYWAY_DEMO: 'true', KEYWAY_DB_URL: `sqlite:${path.join(dir, 'keyway.sqlite')}` };
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  let api = await startTestApi('sqlite', env);
  try {
    const names = (await api.request<{ data: Body[] }>('GET', '/api/v1/ka-configurations')).body.data.map(
      (c) => c.name,
    );
    t.deepEqual([...names].sort(), ['Demo KA (REST)', 'Demo KA (SOAP)', 'Demo KA (XML-RPC)']);
    // The README's commands, as printed.
    const order = await api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId: 1, planId: 1, period: 12, reference: 'demo-1' },
    });
    t.is(order.status, 201, JSON.stringify(order.body));
    const paid = await api.request<{ subscription: Body }>('POST', `/api/v1/orders/${order.body.id}/pay`, {
      body: { paymentReference: 'pay-1' },
    });
    const licenses = await waitFor(
      async () => {
        const s = await api.request<{ licenses: Body[] }>('GET', `/api/v1/subscriptions/${paid.body.subscription.id}`);
        return s.body.licenses.length === 4 && s.body.licenses.every((l) => l.status === 'installed')
          ? s.body.licenses
          : undefined;
      },
      'four demo licenses (one a SaaS key) to be installed',
      30_000,
    );
    t.deepEqual(licenses.map((l) => l.product).sort(), [
      'PLESK-12-WEB-HOST',
      'RAS-SAAS',
      'RAS-SUBSCRIPTION',
      'VZ-CONTAINERS',
    ]);
    t.regex(String(licenses.find((l) => l.product === 'VZ-CONTAINERS')?.keyNumber), /^VZC\.\d{8}$/);

    // A demo database from before a plugin existed: its plan lacks that plugin's product.
    const db = api.running.context.db;
    const rest = await db('ka_configurations').where({ name: 'Demo KA (REST)' }).first();
    await db('plan_license_products').where({ configuration_id: rest.id }).delete();
    await api.close();
    api = await startTestApi('sqlite', env);
    const plan = await api.request<{ licenseProducts: Body[] }>('GET', '/api/v1/plans/1');
    t.deepEqual(plan.body.licenseProducts.map((p) => p.product).sort(), [
      'PLESK-12-WEB-HOST',
      'RAS-SAAS',
      'RAS-SUBSCRIPTION',
      'VZ-CONTAINERS',
    ]);
    t.true(plan.body.licenseProducts.find((p) => p.product === 'RAS-SAAS')?.saas, 'the demo sells a SaaS product');
  } finally {
    await api.close();
  }
});
