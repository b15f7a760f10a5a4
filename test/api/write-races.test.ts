import test from 'ava';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi, type TestApi } from '../helpers/test-server.js';

for (const dialect of testDialects()) {
  let api: TestApi;
  test.before(async () => {
    api = await startTestApi(dialect);
  });
  test.after.always(async () => {
    await api?.close();
  });

  test(`${dialect}: requests that create the same unique value at once get one 201 and 409s, never a 500`, async (t) => {
    const plan = { code: 'race-plan', name: 'Race', periods: [12], services: [], licenseProducts: [] };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => api.request('POST', '/api/v1/plans', { body: plan })),
    );
    const statuses = answers.map((a) => a.status).sort();
    t.is(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
    t.true(
      statuses.every((s) => s === 201 || s === 409),
      JSON.stringify(statuses),
    );
    const customers = await Promise.all(
      Array.from({ length: 8 }, () =>
        api.request('POST', '/api/v1/customers', {
          body: { name: 'Racer', email: 'r@example.com', externalRef: 'race-customer' },
        }),
      ),
    );
    t.true(
      customers.every((a) => a.status < 500),
      JSON.stringify(customers.map((a) => a.status)),
    );
  });
}
