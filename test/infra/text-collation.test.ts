import test from 'ava';
import { LicenseQueryStore } from '../../src/features/licenses/license-query-store.js';
import { LicenseStore } from '../../src/features/licenses/license-store.js';
import { StaffUserStore } from '../../src/features/auth/staff-user-store.js';
import { insertKaConfiguration } from '../helpers/catalog-fixtures.js';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi, type TestApi } from '../helpers/test-server.js';

type Body = Record<string, unknown>;

// The MySQL database is created as the README says (no collation), so MariaDB's default
// compares case-insensitively unless Keyway sets its own.
for (const dialect of testDialects()) {
  let api: TestApi;
  let planId: number;
  let customerId: number;
  let configurationId: number;

  test.before(async () => {
    api = await startTestApi(dialect);
    configurationId = await insertKaConfiguration(api.running.context.db);
    const plan = await api.request<Body>('POST', '/api/v1/plans', {
      body: {
        code: 'case-plan',
        name: 'Case',
        periods: [12],
        licenseProducts: [{ configurationId, product: 'PLESK-WEB-HOST' }],
      },
    });
    planId = plan.body.id as number;
    const customer = await api.request<Body>('POST', '/api/v1/customers', {
      body: { name: 'Ada', email: 'ada@example.com' },
    });
    customerId = customer.body.id as number;
  });
  test.after.always(async () => {
    await api?.close();
  });

  test.serial(
    `${dialect}: order references differing only in case are two orders, not the paid one again`,
    async (t) => {
      const lower = await api.request<Body>('POST', '/api/v1/orders', {
        body: { customerId, planId, period: 12, reference: 'demo-1' },
      });
      t.is(lower.status, 201);
      const paid = await api.request<Body>('POST', `/api/v1/orders/${lower.body.id}/pay`, {
        body: { paymentReference: 'pay-1' },
      });
      t.is(paid.status, 201);
      const upper = await api.request<Body>('POST', '/api/v1/orders', {
        body: { customerId, planId, period: 12, reference: 'DEMO-1' },
      });
      t.is(upper.status, 201, 'DEMO-1 is a new order');
      t.not(upper.body.id, lower.body.id);
      t.is(upper.body.state, 'placed');
      const again = await api.request<Body>('POST', '/api/v1/orders', {
        body: { customerId, planId, period: 12, reference: 'demo-1' },
      });
      t.is(again.status, 200, 'the same reference still answers its order');
      t.is(again.body.id, lower.body.id);
    },
  );

  test.serial(`${dialect}: customer external refs differing only in case are two customers`, async (t) => {
    const lower = await api.request<Body>('POST', '/api/v1/customers', {
      body: { name: 'Acme', email: 'it@acme.example', externalRef: 'acme' },
    });
    t.is(lower.status, 201);
    const upper = await api.request<Body>('POST', '/api/v1/customers', {
      body: { name: 'ACME', email: 'it@acme2.example', externalRef: 'ACME' },
    });
    t.is(upper.status, 201, 'ACME is a new customer');
    t.not(upper.body.id, lower.body.id);
    const again = await api.request<Body>('POST', '/api/v1/customers', {
      body: { name: 'Acme', email: 'it@acme.example', externalRef: 'acme' },
    });
    t.is(again.body.id, lower.body.id);
  });

  test.serial(
    `${dialect}: key numbers are compared exactly: stored, found and filtered by their own case`,
    async (t) => {
      const { db } = api.running.context;
      const stores = { licenses: new LicenseStore() };
      const license = (keyNumber: string) => ({
        requestId: null,
        configurationId,
        subscriptionId: null,
        customerId: null,
        keyNumber,
        product: 'PLESK-WEB-HOST',
        features: [],
        additionalKeyNumbers: [],
        source: 'upload' as const,
      });
      const upper = await stores.licenses.insert(db, license('CASE.00000001'));
      const lower = await stores.licenses.insert(db, license('case.00000001'));
      t.not(upper.id, lower.id);
      t.is((await stores.licenses.findByKey(db, configurationId, 'case.00000001'))?.id, lower.id);
      t.is((await stores.licenses.findByKey(db, configurationId, 'CASE.00000001'))?.id, upper.id);
      t.is(await stores.licenses.findByKey(db, configurationId, 'Case.00000001'), undefined);
      const filtered = await new LicenseQueryStore().list(db, { configurationId, keyNumber: 'case.', limit: 10 });
      t.deepEqual(
        filtered.map((l) => l.keyNumber),
        ['case.00000001'],
      );
    },
  );

  test.serial(`${dialect}: staff e-mails are case-insensitive because they are stored in lower case`, async (t) => {
    const { db } = api.running.context;
    const users = new StaffUserStore();
    await users.create(db, { email: 'Grace@Example.COM', role: 'viewer', password: 'a long password 1' });
    t.is((await users.findForSignIn(db, 'GRACE@example.com'))?.user.email, 'grace@example.com');
    await t.throwsAsync(
      users.create(db, { email: 'grace@example.com', role: 'viewer', password: 'a long password 2' }),
      { any: true },
      'one user per address, whatever its case',
    );
  });
}
