import { insertKaConfiguration } from '../helpers/catalog-fixtures.js';
import { testDialects } from '../helpers/test-database.js';
import { type Console, startConsole } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();

type Body = Record<string, unknown>;

const nonCanonicalIds = ['1e0', '01', '+1', '0x1', '%201', '1.0', '0', '9007199254740992'];

// Defect 10 of the fault campaign, in the console: ids are canonical decimal there too, in
// paths, queries and forms; anything else is a 400 (a page naming the field), and changes nothing.
for (const dialect of testDialects()) {
  let app: Console;
  let configurationId: number;

  test.before(async () => {
    app = await startConsole(dialect);
    configurationId = await insertKaConfiguration(app.api.running.context.db);
    const plan = await app.api.request<Body>('POST', '/api/v1/plans', {
      body: { code: 'ids', name: 'Ids', periods: [12] },
    });
    const customer = await app.api.request<Body>('POST', '/api/v1/customers', {
      body: { name: 'C', email: 'c@example.com' },
    });
    await app.api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference: 'ids-1' },
    });
  });
  test.after.always(async () => {
    await app?.close();
  });

  test.serial(`${dialect}: console paths and queries take canonical decimal ids only`, async (t) => {
    const { page } = await app.signedIn('operator');
    const get = async (path: string) => {
      const res = await page.request.get(`${app.api.url}${path}`, { maxRedirects: 0 });
      return { status: res.status(), text: await res.text() };
    };
    t.is((await get('/orders/1')).status, 200);
    for (const bad of nonCanonicalIds) {
      for (const [path, shown] of [
        [`/orders/${bad}`, 'id: must be an id'],
        [`/subscriptions/${bad}`, 'id: must be an id'],
        [`/licenses/${bad}`, 'id: must be an id'],
        [`/license-requests/${bad}`, 'id: must be an id'],
        [`/ka-configurations/${bad}`, 'id: must be an id'],
        [`/licenses/1/files/${bad}`, 'fileId: must be an id'],
        [`/license-requests?configuration=${bad.replace('+', '%2B')}`, 'configuration: must be an id'],
        // The licenses page shows the error at its filter field.
        [`/licenses?customer=${bad.replace('+', '%2B')}`, 'id="f-customer-error">Must be an id'],
      ] as const) {
        const res = await get(path);
        t.is(res.status, 400, path);
        t.true(res.text.includes(shown), `${path} says ${shown}`);
      }
    }
  });

  test.serial(
    `${dialect}: a New License form with an id written another way is refused at the field and stores nothing`,
    async (t) => {
      const { page } = await app.signedIn('operator');
      await page.goto(`${app.api.url}/licenses/new`);
      const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
      for (const [configuration, subscription, field] of [
        [`0${configurationId}`, '', 'configurationId'],
        [` ${configurationId}`, '', 'configurationId'],
        [String(configurationId), '1e0', 'subscriptionId'],
        [String(configurationId), '+1', 'subscriptionId'],
      ]) {
        const res = await page.request.post(`${app.api.url}/licenses/new/request`, {
          form: {
            _csrf: csrf,
            configurationId: configuration as string,
            product: 'PLESK-WEB-HOST',
            subscriptionId: subscription as string,
          },
          maxRedirects: 0,
        });
        t.is(res.status(), 400, `${configuration} / ${subscription}`);
        t.true(
          (await res.text()).includes(`-${field}-error"`),
          `${configuration} / ${subscription} refused at ${field}`,
        );
      }
      t.is(Number((await app.api.running.context.db('license_requests').count({ n: '*' }).first())?.n), 0);
    },
  );
}
