import { LicenseStore } from '../../src/features/licenses/license-store.js';
import { insertKaConfiguration } from '../helpers/catalog-fixtures.js';
import { testDialects } from '../helpers/test-database.js';
import { type Console, startConsole } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();
type Body = Record<string, unknown>;
const DAY = 86_400_000;

for (const dialect of testDialects()) {
  let app: Console;
  let configurationId: number;
  let subscriptionId: number;
  const keys = { grace: 'GRACE.00000001', expiring: 'SOON.00000001', active: 'FAR.00000001' };

  test.before(async () => {
    app = await startConsole(dialect);
    const { db } = app.api.running.context;
    configurationId = await insertKaConfiguration(db, 'Phases KA');
    const plan = await app.api.request<Body>('POST', '/api/v1/plans', {
      body: { code: 'console-phases', name: 'Console phases', periods: [12] },
    });
    const customer = await app.api.request<Body>('POST', '/api/v1/customers', {
      body: { name: 'Grace Hopper', email: 'grace@example.com' },
    });
    const order = await app.api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference: 'console-phases-1' },
    });
    const paid = await app.api.request<{ subscription: { id: number } }>(
      'POST',
      `/api/v1/orders/${order.body.id}/pay`,
      { body: { paymentReference: 'pay-console-phases' } },
    );
    subscriptionId = paid.body.subscription.id;
    const licenses = new LicenseStore();
    const now = Date.now();
    for (const [keyNumber, expiresAt] of [
      [keys.grace, now - 3 * DAY],
      [keys.expiring, now + 5 * DAY],
      [keys.active, now + 200 * DAY],
    ] as const) {
      await licenses.insert(db, {
        requestId: null,
        configurationId,
        subscriptionId,
        customerId: customer.body.id as number,
        keyNumber,
        product: 'PLESK-WEB-HOST',
        features: [],
        additionalKeyNumbers: [],
        source: 'upload',
        expiresAt,
      });
    }
  });
  test.after.always(async () => {
    await app?.close();
  });

  test.serial(
    `${dialect}: the subscription page shows each license's phase; an operator turns auto-renew off`,
    async (t) => {
      const { page } = await app.signedIn('operator');
      await page.goto(`${app.api.url}/subscriptions/${subscriptionId}`);
      // The Phase column of the licenses table, wherever it sits among the others.
      const headers = (
        await page
          .locator('table', { has: page.locator('th', { hasText: 'Phase' }) })
          .locator('th')
          .allTextContents()
      ).map((h) => h.trim());
      const phaseColumn = headers.indexOf('Phase');
      const phaseOf = async (key: string) =>
        (await page.getByRole('row').filter({ hasText: key }).locator('td').nth(phaseColumn).textContent())?.trim();
      t.is(await phaseOf(keys.grace), 'in grace');
      t.is(await phaseOf(keys.expiring), 'expiring');
      t.is(await phaseOf(keys.active), 'active');
      t.regex((await page.locator('main').textContent()) ?? '', /Auto-renew\s*on/);
      await app.screenshot(page, 'subscription-phases');

      await page.getByRole('button', { name: 'Turn auto-renew off' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.true(await page.getByRole('button', { name: 'Turn auto-renew on' }).isVisible());
      const read = await app.api.request<Body>('GET', `/api/v1/subscriptions/${subscriptionId}`);
      t.false(read.body.autoRenew);
      const [event] = await app.api.running.context
        .db('audit_events')
        .where({ action: 'subscription.auto_renew_off', entity_id: String(subscriptionId) });
      t.like(event, { actor_type: 'staff' });
    },
  );

  test.serial(`${dialect}: a viewer sees auto-renew but no switch`, async (t) => {
    const { page } = await app.signedIn('viewer');
    await page.goto(`${app.api.url}/subscriptions/${subscriptionId}`);
    t.regex((await page.locator('main').textContent()) ?? '', /Auto-renew\s*off/);
    t.is(await page.getByRole('button', { name: /auto-renew/ }).count(), 0);
  });

  test.serial(
    `${dialect}: the licenses tab counts expiring and in grace, and its "In grace" view lists only that license`,
    async (t) => {
      const { page } = await app.signedIn('viewer');
      await page.goto(`${app.api.url}/licenses?configuration=${configurationId}`);
      t.regex((await page.locator('p.lead').textContent()) ?? '', /1 expiring · 1 in grace/);
      const views = page.getByRole('navigation', { name: 'Expiring / In grace' });
      await views.getByRole('link', { name: /In grace/ }).click();
      await page.waitForLoadState('domcontentloaded');
      const rows = page.locator('main table tbody tr');
      t.is(await rows.count(), 1);
      t.regex((await rows.first().textContent()) ?? '', new RegExp(keys.grace.replace('.', '\\.')));
      await app.screenshot(page, 'licenses-in-grace');

      await page.goto(`${app.api.url}/licenses?configuration=${configurationId}`);
      await page.getByLabel('Phase').selectOption('expiring');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.is(await rows.count(), 1);
      t.regex((await rows.first().textContent()) ?? '', /SOON\.00000001/);
    },
  );
}
