import test from 'ava';
import { insertKaConfiguration } from '../helpers/catalog-fixtures.js';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi, type TestApi } from '../helpers/test-server.js';
import { multipart } from '../features/uploads/upload-fixtures.js';

type Body = Record<string, unknown> & { error?: { code: string; details: { fields?: Array<{ field: string }> } } };

/** Ids written some other way than canonical decimal, as they appear in a URL. */
const nonCanonicalIds = ['1e0', '01', '+1', '0x1', '%201', '1%20', '1.0', '0', '-1', '9007199254740992', '１'];

// Defect 10 of the fault campaign: `1e3`, `01`, `+1`, `0x1` and ` 1` were read as ids (a
// fuzzer terminated licenses this way). Every id field takes canonical decimal only: anything
// else is a 400 naming the field, path parameters included, and changes nothing.
for (const dialect of testDialects()) {
  let api: TestApi;
  let orderId: number;
  let configurationId: number;

  const fieldsOf = (body: Body) => body.error?.details.fields?.map((f) => f.field) ?? [];

  test.before(async () => {
    api = await startTestApi(dialect);
    configurationId = await insertKaConfiguration(api.running.context.db);
    const plan = await api.request<Body>('POST', '/api/v1/plans', {
      body: { code: 'ids', name: 'Ids', periods: [12] },
    });
    const customer = await api.request<Body>('POST', '/api/v1/customers', {
      body: { name: 'C', email: 'c@example.com' },
    });
    const order = await api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference: 'ids-1' },
    });
    orderId = order.body.id as number;
  });
  test.after.always(async () => {
    await api?.close();
  });

  test.serial(
    `${dialect}: a path id written any other way than canonical decimal is a 400 naming it, and changes nothing`,
    async (t) => {
      t.is((await api.request('GET', `/api/v1/orders/${orderId}`)).status, 200);
      for (const bad of nonCanonicalIds) {
        for (const [method, path, field] of [
          ['GET', `/api/v1/orders/${bad}`, 'id'],
          ['GET', `/api/v1/customers/${bad}`, 'id'],
          ['POST', `/api/v1/orders/${bad}/cancel`, 'id'],
          ['POST', `/api/v1/licenses/${bad}/terminate`, 'id'],
          ['GET', `/api/v1/licenses/1/files/${bad}`, 'fileId'],
        ] as const) {
          const res = await api.request<Body>(method, path, { body: method === 'POST' ? {} : undefined });
          t.is(res.status, 400, `${method} ${path}`);
          t.deepEqual(fieldsOf(res.body), [field], `${method} ${path}`);
        }
      }
      t.is((await api.request<Body>('GET', `/api/v1/orders/${orderId}`)).body.state, 'placed');
    },
  );

  test.serial(`${dialect}: a query id written any other way is a 400 naming it`, async (t) => {
    for (const bad of nonCanonicalIds.map((id) => id.replace('+', '%2B'))) {
      for (const [path, field] of [
        [`/api/v1/orders?customerId=${bad}`, 'customerId'],
        [`/api/v1/subscriptions?customerId=${bad}`, 'customerId'],
        [`/api/v1/license-requests?subscriptionId=${bad}`, 'subscriptionId'],
        [`/api/v1/licenses?configuration=${bad}`, 'configuration'],
        [`/api/v1/licenses?customer=${bad}`, 'customer'],
      ] as const) {
        const res = await api.request<Body>('GET', path);
        t.is(res.status, 400, path);
        t.deepEqual(fieldsOf(res.body), [field], path);
      }
    }
    t.is((await api.request('GET', '/api/v1/orders?customerId=1')).status, 200);
  });

  test.serial(
    `${dialect}: a body id must be a whole JSON number within a safe integer, and a multipart id canonical decimal`,
    async (t) => {
      const before = Number((await api.running.context.db('orders').count({ n: '*' }).first())?.n);
      for (const bad of ['1', 1.5, 0, -1, 2 ** 53, true]) {
        const res = await api.request<Body>('POST', '/api/v1/orders', {
          body: { customerId: bad, planId: 1, period: 12, reference: `bad-${String(bad)}` },
        });
        t.is(res.status, 400, String(bad));
        t.deepEqual(fieldsOf(res.body), ['customerId'], String(bad));
        const token = await api.request<Body>('POST', '/api/v1/api-tokens', {
          body: { name: 'c', role: 'customer', customerId: bad },
        });
        t.deepEqual(fieldsOf(token.body), ['customerId'], String(bad));
      }
      t.is(Number((await api.running.context.db('orders').count({ n: '*' }).first())?.n), before);
      for (const bad of nonCanonicalIds.map(decodeURIComponent)) {
        const form = multipart([
          { name: 'configurationId', value: bad },
          { name: 'keyNumbers', value: 'PLSK.00000001' },
          { name: 'files', fileName: 'key.xml', content: Buffer.from('<key/>') },
        ]);
        const res = await fetch(`${api.url}/api/v1/licenses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': form.contentType },
          body: new Blob([new Uint8Array(form.body)]),
        });
        const body = (await res.json()) as Body;
        t.is(res.status, 400, bad);
        t.deepEqual(fieldsOf(body), ['configurationId'], bad);
      }
      t.is(
        Number(
          (
            await api.running.context
              .db('license_requests')
              .where({ configuration_id: configurationId })
              .count({ n: '*' })
              .first()
          )?.n,
        ),
        0,
      );
    },
  );
}
