import test from 'ava';
import { insertKaConfiguration } from '../helpers/catalog-fixtures.js';
import { testDialects } from '../helpers/test-database.js';
import { type ApiResponse, startTestApi, type TestApi } from '../helpers/test-server.js';

type Body = Record<string, unknown> & {
  error?: { code: string; message: string; details: { fields?: Array<{ field: string; message: string }> } };
};

/**
 * An answer with one id written as `#` where it stands alone (in a message or a detail, not
 * inside a date), so a refusal about id 7 compares with one about id 999999.
 */
function shape(res: ApiResponse<Body>, id: unknown): string {
  return `${res.status} ${JSON.stringify(res.body).replace(new RegExp(`(?<=[ "])${String(id)}(?=[ "])`, 'g'), '#')}`;
}

// Defect 7 of the fault campaign: a store token read other stores' customers, got another
// store's order back by reusing its reference, and ordered for another store's customer.
for (const dialect of testDialects()) {
  let api: TestApi;
  let planId: number;
  let storeA: string;
  let storeB: string;
  const neverUsedId = 999_999;

  const countRows = async (table: string) => Number((await api.running.context.db(table).count({ n: '*' }).first())?.n);
  const token = async (role: string, extra: Record<string, unknown> = {}) =>
    (
      await api.request<Body>('POST', '/api/v1/api-tokens', {
        body: { name: `${role} ${Math.random()}`, role, ...extra },
      })
    ).body.token as string;
  const createCustomer = (as: string | undefined, body: Record<string, unknown>) =>
    api.request<Body>('POST', '/api/v1/customers', { token: as, body: { email: 'c@example.com', ...body } });
  const place = (as: string | undefined, reference: string, customerId: unknown) =>
    api.request<Body>('POST', '/api/v1/orders', { token: as, body: { customerId, planId, period: 12, reference } });

  test.before(async () => {
    api = await startTestApi(dialect);
    const configurationId = await insertKaConfiguration(api.running.context.db);
    const plan = await api.request<Body>('POST', '/api/v1/plans', {
      body: {
        code: 'scoped',
        name: 'Scoped',
        periods: [12],
        licenseProducts: [{ configurationId, product: 'PLESK-WEB-HOST' }],
      },
    });
    planId = plan.body.id as number;
    storeA = await token('store');
    storeB = await token('store');
  });
  test.after.always(async () => {
    await api?.close();
  });

  test.serial(
    `${dialect}: a store reads only the customers it created; any other is a 404 like an id never used`,
    async (t) => {
      const ofA = await createCustomer(storeA, { name: 'Alice of A' });
      t.is(ofA.status, 201);
      const ofStaff = await createCustomer(undefined, { name: 'Sam of staff' });
      t.is((await api.request('GET', `/api/v1/customers/${ofA.body.id}`, { token: storeA })).status, 200);
      t.is((await api.request('GET', `/api/v1/customers/${ofA.body.id}`)).status, 200, 'staff read every customer');

      const never = await api.request<Body>('GET', `/api/v1/customers/${neverUsedId}`, { token: storeB });
      t.is(never.status, 404);
      for (const id of [ofA.body.id, ofStaff.body.id]) {
        const other = await api.request<Body>('GET', `/api/v1/customers/${id}`, { token: storeB });
        t.is(shape(other, id), shape(never, neverUsedId));
        t.false(JSON.stringify(other.body).includes('c@example.com'));
      }
      // A customer token: its own customer only, and another is a 404 as well.
      const customerToken = await token('customer', { customerId: ofStaff.body.id });
      t.is((await api.request('GET', `/api/v1/customers/${ofStaff.body.id}`, { token: customerToken })).status, 200);
      t.is((await api.request('GET', `/api/v1/customers/${ofA.body.id}`, { token: customerToken })).status, 404);
    },
  );

  test.serial(
    `${dialect}: an external reference is per store: another store's is a new customer, not its customer`,
    async (t) => {
      const first = await createCustomer(storeA, { name: 'Ext of A', externalRef: 'shop-7' });
      t.is(first.status, 201);
      const again = await createCustomer(storeA, { name: 'Ext of A', externalRef: 'shop-7' });
      t.is(again.status, 200);
      t.is(again.body.id, first.body.id);
      const ofB = await createCustomer(storeB, { name: 'Ext of B', externalRef: 'shop-7' });
      t.is(ofB.status, 201);
      t.not(ofB.body.id, first.body.id);
      t.is(ofB.body.name, 'Ext of B');
      const ofStaff = await createCustomer(undefined, { name: 'Ext of staff', externalRef: 'shop-7' });
      t.is(ofStaff.status, 201);
      t.false([first.body.id, ofB.body.id].includes(ofStaff.body.id));
    },
  );

  test.serial(
    `${dialect}: an order reference is per store: another store's reference behaves like one never seen`,
    async (t) => {
      const alice = (await createCustomer(storeA, { name: 'Alice' })).body.id;
      const bob = (await createCustomer(storeB, { name: 'Bob' })).body.id;
      const ofA = await place(storeA, 'ref-1', alice);
      t.is(ofA.status, 201);
      t.is(
        (
          await api.request('POST', `/api/v1/orders/${ofA.body.id}/pay`, {
            token: storeA,
            body: { paymentReference: 'secret-pay-A' },
          })
        ).status,
        201,
      );

      // Store B's ref-1 is its own order, answered exactly as a reference it never used.
      const ofB = await place(storeB, 'ref-1', bob);
      t.is(ofB.status, 201);
      t.not(ofB.body.id, ofA.body.id);
      t.is(ofB.body.customerId, bob);
      t.is(ofB.body.paymentReference, null);
      t.false(JSON.stringify(ofB.body).includes('secret-pay-A'));
      const resent = await place(storeB, 'ref-1', bob);
      t.is(resent.status, 200);
      t.is(resent.body.id, ofB.body.id);
      // Staff orders keep a namespace of their own.
      const ofStaff = await place(undefined, 'ref-1', alice);
      t.is(ofStaff.status, 201);
      t.false([ofA.body.id, ofB.body.id].includes(ofStaff.body.id));
      t.is((await place(undefined, 'ref-1', alice)).body.id, ofStaff.body.id);
      // Store A still gets its own order back, paid.
      const mine = await place(storeA, 'ref-1', alice);
      t.is(mine.status, 200);
      t.is(mine.body.id, ofA.body.id);
      t.is(mine.body.paymentReference, 'secret-pay-A');
      t.is(
        await api.running.context
          .db('orders')
          .where({ reference: 'ref-1' })
          .count({ n: '*' })
          .first()
          .then((r) => Number(r?.n)),
        3,
      );
    },
  );

  test.serial(
    `${dialect}: a store cannot order for another store's customer; it is refused like a customer that does not exist`,
    async (t) => {
      const alice = (await createCustomer(storeA, { name: 'Alice' })).body.id;
      const staffCustomer = (await createCustomer(undefined, { name: 'Staff customer' })).body.id;
      t.is((await place(storeA, 'ref-2', alice)).status, 201);
      const before = await countRows('orders');
      const never = await place(storeB, 'ref-3', neverUsedId);
      t.is(never.status, 400);
      t.deepEqual(
        never.body.error?.details.fields?.map((f) => f.field),
        ['customerId'],
      );
      // Even with store A's reference and A's exact order.
      for (const [reference, customerId] of [
        ['ref-2', alice],
        ['ref-3', alice],
        ['ref-3', staffCustomer],
      ] as const) {
        t.is(shape(await place(storeB, reference, customerId), customerId), shape(never, neverUsedId));
      }
      t.is(await countRows('orders'), before);
      t.is((await place(undefined, 'ref-2', alice)).status, 201, 'staff order for any customer');
    },
  );

  test.serial(
    `${dialect}: another store's order and subscription are 404 to read, pay or cancel, like ids never used`,
    async (t) => {
      const alice = (await createCustomer(storeA, { name: 'Alice' })).body.id;
      const paidOrder = await place(storeA, 'ref-4', alice);
      const paid = await api.request<{ subscription: Body }>('POST', `/api/v1/orders/${paidOrder.body.id}/pay`, {
        token: storeA,
        body: { paymentReference: 'p-4' },
      });
      const subscriptionId = paid.body.subscription.id;
      const open = await place(storeA, 'ref-5', alice);
      const asB = (method: string, path: string, body?: unknown) =>
        api.request<Body>(method, path, { token: storeB, body });
      const pairs: Array<[string, string, unknown, unknown]> = [
        ['GET', `/api/v1/orders/${open.body.id}`, undefined, open.body.id],
        ['POST', `/api/v1/orders/${open.body.id}/pay`, { paymentReference: 'p-b' }, open.body.id],
        ['POST', `/api/v1/orders/${open.body.id}/cancel`, undefined, open.body.id],
        ['GET', `/api/v1/subscriptions/${subscriptionId}`, undefined, subscriptionId],
      ];
      for (const [method, path, body, id] of pairs) {
        const other = await asB(method, path, body);
        const never = await asB(method, path.replace(String(id), String(neverUsedId)), body);
        t.is(other.status, 404, `${method} ${path}`);
        t.is(shape(other, id), shape(never, neverUsedId));
      }
      t.is(
        (await api.request<Body>('GET', `/api/v1/orders/${open.body.id}`, { token: storeA })).body.state,
        'placed',
        'nothing changed',
      );
      const listed = await asB('GET', '/api/v1/subscriptions');
      t.false((listed.body.data as Body[]).some((s) => s.id === subscriptionId));
      const own = await api.request<Body>('GET', `/api/v1/subscriptions/${subscriptionId}`, { token: storeA });
      t.is(own.status, 200);
      t.is(own.body.customerId, alice);
    },
  );

  test.serial(
    `${dialect}: one store resending one new reference at once gets one order; another store at once gets its own`,
    async (t) => {
      const alice = (await createCustomer(storeA, { name: 'Alice' })).body.id;
      const bob = (await createCustomer(storeB, { name: 'Bob' })).body.id;
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 2 ? place(storeA, 'ref-race', alice) : place(storeB, 'ref-race', bob),
        ),
      );
      const idsOf = (customerId: unknown) =>
        new Set(answers.filter((a) => a.body.customerId === customerId).map((a) => a.body.id));
      t.true(
        answers.every((a) => a.status === 201 || a.status === 200),
        JSON.stringify(answers.map((a) => a.status)),
      );
      t.is(idsOf(alice).size, 1);
      t.is(idsOf(bob).size, 1);
      t.is(answers.filter((a) => a.status === 201).length, 2);
      t.is(
        await api.running.context
          .db('orders')
          .where({ reference: 'ref-race' })
          .count({ n: '*' })
          .first()
          .then((r) => Number(r?.n)),
        2,
      );
    },
  );
}
