import { testDialects } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';
import { type Console, startConsole } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();
type Body = Record<string, unknown>;
const dayMs = 24 * 60 * 60_000;

for (const dialect of testDialects()) {
  let app: Console;
  let customerId: number;
  let orderId: number;
  let subscriptionId: number;
  let licenses: Body[];

  test.before(async () => {
    // The embedded demo: its catalogue and reference KAs in-process install real licenses.
    app = await startConsole(dialect, {
      KEYWAY_DEMO: 'true',
      KEYWAY_ADMIN_EMAIL: 'first-admin@example.com',
      KEYWAY_ADMIN_PASSWORD: 'first-admin-password',
    });
    const { api } = app;
    const customer = await api.request<Body>('POST', '/api/v1/customers', {
      body: { name: 'Grace Hopper', email: 'Grace.Hopper@Example.COM' },
    });
    customerId = customer.body.id as number;
    const order = await api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId, planId: 1, period: 1, reference: 'ACME-Order-7' },
    });
    orderId = order.body.id as number;
    const paid = await api.request<{ subscription: { id: number } }>('POST', `/api/v1/orders/${orderId}/pay`, {
      body: { paymentReference: 'pay-acme-7' },
    });
    subscriptionId = paid.body.subscription.id;
    licenses = await waitFor(async () => {
      const list = await api.request<{ data: Body[] }>('GET', `/api/v1/licenses?status=installed`);
      const waiting = await api.request<{ data: Body[] }>('GET', '/api/v1/license-requests?state=needs_manual');
      return list.body.data.length >= 2 && waiting.body.data.length === 1 ? list.body.data : undefined;
    }, 'two demo licenses installed and the container request waiting for staff');
  });
  test.after.always(async () => {
    await app?.close();
  });

  test.serial(
    `${dialect}: the home page shows work waiting, installs today, expiring and in-grace keys and a chart of failures`,
    async (t) => {
      const { db } = app.api.running.context;
      // The demo's container KA sells 12 months and up: the one-month order's container
      // request failed at the KA and waits for staff, the other two keys are installed.
      const failed = await db('license_requests').where({ state: 'needs_manual' }).first();
      const configurationId = Number(failed.configuration_id);
      const configuration = await db('ka_configurations').where({ id: configurationId }).first();
      const [first, second] = licenses;
      // One key expiring in three days, one expired five days ago.
      await db('licenses')
        .where({ id: first?.id })
        .update({ expires_at: Date.now() + 3 * dayMs });
      await db('licenses')
        .where({ id: second?.id })
        .update({ expires_at: Date.now() - 5 * dayMs });

      const { page } = await app.signedIn('viewer');
      await page.goto(`${app.api.url}/`);
      t.true(await page.getByRole('heading', { name: 'Home' }).isVisible());
      const attention = page.locator('a.stat.attention', { hasText: configuration.name });
      t.is((await attention.locator('.n').textContent())?.trim(), '1');
      t.is(
        await attention.getAttribute('href'),
        `/license-requests?state=needs_manual&configuration=${configurationId}`,
      );
      // Every demo key the one-month order could get is installed today (the container key could not).
      const installed = await db('licenses').where({ status: 'installed' }).count({ n: '*' }).first();
      t.true(Number(installed?.n) >= 2);
      t.is((await page.locator('[data-stat="installed-today"] .n').textContent())?.trim(), String(installed?.n));
      t.is((await page.locator('[data-stat="expiring"] .n').textContent())?.trim(), '1');
      t.is((await page.locator('[data-stat="in-grace"] .n').textContent())?.trim(), '1');
      const chart = page.locator('svg.bar-chart');
      t.true(((await chart.getAttribute('aria-label')) ?? '').endsWith(`: ${configuration.name} 1`));
      t.is(await chart.locator('rect').count(), 1);
      await app.screenshot(page, 'home');
    },
  );

  test.serial(`${dialect}: searching a key number in the header opens that license, in any case`, async (t) => {
    const { page } = await app.signedIn('viewer');
    await page.goto(`${app.api.url}/orders`);
    const license = licenses[1] as Body;
    await page.getByLabel('Search customers, orders and keys').fill(String(license.keyNumber).toLowerCase());
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(new RegExp(`/licenses/${license.id}$`));
    t.true(await page.getByText(String(license.keyNumber)).first().isVisible());
  });

  test.serial(
    `${dialect}: a search by e-mail or order reference ignores case; several hits are listed with links`,
    async (t) => {
      const { page } = await app.signedIn('viewer');
      await page.goto(`${app.api.url}/search?q=${encodeURIComponent('grace.hopper@example.com')}`);
      t.regex(page.url(), new RegExp(`/customers/${customerId}$`), 'one customer: opened directly');
      await page.goto(`${app.api.url}/search?q=acme-order-7`);
      t.regex(page.url(), new RegExp(`/orders/${orderId}$`), 'an exact order reference: opened directly');
      await page.goto(`${app.api.url}/search?q=GRACE`);
      t.regex(page.url(), new RegExp(`/customers/${customerId}$`));
      await api().request('POST', '/api/v1/customers', { body: { name: 'Grace Kelly', email: 'kelly@example.com' } });
      await page.goto(`${app.api.url}/search?q=grace`);
      t.true(await page.getByRole('heading', { name: 'Search: grace' }).isVisible());
      t.is(await page.getByRole('link', { name: 'Grace Hopper' }).getAttribute('href'), `/customers/${customerId}`);
      t.true(await page.getByRole('link', { name: 'Grace Kelly' }).isVisible());
      t.is(await page.getByLabel('Search customers, orders and keys').inputValue(), 'grace');
      await page.goto(`${app.api.url}/search?q=${encodeURIComponent('100%_nothing')}`);
      t.true(await page.getByText('Nothing matches').isVisible(), 'wildcards are searched as text');
      await app.screenshot(page, 'search-empty');
    },
  );

  test.serial(
    `${dialect}: a customer's page lists their subscriptions, licenses and orders, each linked`,
    async (t) => {
      const { page } = await app.signedIn('viewer');
      await page.goto(`${app.api.url}/orders`);
      await page.getByRole('link', { name: 'Grace Hopper' }).first().click();
      await page.waitForURL(new RegExp(`/customers/${customerId}$`));
      t.true(await page.getByRole('heading', { name: 'Grace Hopper' }).isVisible());
      t.true(await page.locator(`a[href="/subscriptions/${subscriptionId}"]`).first().isVisible());
      t.true(await page.locator(`a[href="/orders/${orderId}"]`).first().isVisible());
      for (const l of licenses) t.true(await page.locator(`a[href="/licenses/${l.id}"]`).isVisible());
      t.true(await page.getByRole('cell', { name: '1 month', exact: true }).first().isVisible());
      await app.screenshot(page, 'customer');
    },
  );

  test.serial(`${dialect}: orders and subscriptions filter by state, customer and ISO dates`, async (t) => {
    const other = await api().request<Body>('POST', '/api/v1/customers', {
      body: { name: 'Ada Filter', email: 'ada.filter@example.com' },
    });
    await api().request('POST', '/api/v1/orders', {
      body: { customerId: other.body.id, planId: 1, period: 12, reference: 'still-placed-1' },
    });
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + dayMs).toISOString().slice(0, 10);
    const { page } = await app.signedIn('viewer');
    await page.goto(`${app.api.url}/orders`);
    const filters = page.getByRole('form', { name: 'Filter orders' });
    await filters.getByLabel('State').selectOption('paid');
    await filters.getByLabel('From (UTC)').fill(today);
    await filters.getByLabel('Until (UTC, inclusive)').fill(today);
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.waitForLoadState('domcontentloaded');
    t.regex(page.url(), new RegExp(`state=paid&customer=&from=${today}&until=${today}|state=paid.*from=${today}`));
    t.true(await page.getByRole('cell', { name: 'ACME-Order-7' }).isVisible());
    t.is(await page.getByRole('cell', { name: 'still-placed-1' }).count(), 0);
    t.is(await filters.getByLabel('From (UTC)').inputValue(), today, 'the date comes back as ISO');

    await page.goto(`${app.api.url}/orders?customer=${other.body.id}`);
    t.true(await page.getByRole('cell', { name: 'still-placed-1' }).isVisible());
    t.is(await page.getByRole('cell', { name: 'ACME-Order-7' }).count(), 0);
    t.true(await page.getByText('Ada Filter').first().isVisible(), 'the filtered customer is named');

    await page.goto(`${app.api.url}/orders?from=${tomorrow}`);
    t.true(await page.getByText('No orders.').isVisible());
    const backwards = await page.goto(`${app.api.url}/orders?from=${tomorrow}&until=${today}`);
    t.is(backwards?.status(), 400);
    t.is(await page.locator('#f-until-error').textContent(), 'The last day comes on or after the first.');
    const unknown = await page.goto(`${app.api.url}/orders?state=lost&from=31.01.2025`);
    t.is(unknown?.status(), 400);
    t.true(((await page.locator('#f-state-error').textContent()) ?? '').length > 0);
    t.is(await page.locator('#f-from-error').textContent(), 'Use a date like 2025-01-31.');

    await page.goto(`${app.api.url}/subscriptions?state=active&customer=${customerId}`);
    t.true(await page.locator(`a[href="/subscriptions/${subscriptionId}"]`).isVisible());
    await page.goto(`${app.api.url}/subscriptions?customer=${other.body.id}`);
    t.true(await page.getByText('No subscriptions.').isVisible());
    await app.screenshot(page, 'subscriptions-filtered');
  });

  test.serial(
    `${dialect}: audit details read as label and value rows, to the second, with links to the entities`,
    async (t) => {
      const { page } = await app.signedIn('viewer');
      await page.goto(`${app.api.url}/audit?entity=order:${orderId}`);
      const paid = page.locator('table.history tbody tr', { hasText: 'order.paid' });
      t.is(await paid.count(), 1);
      const details = paid.locator('dl.details');
      t.true(await details.isVisible());
      t.false(((await details.textContent()) ?? '').includes('{'), 'no JSON shown');
      t.true(((await details.textContent()) ?? '').includes('pay-acme-7'));
      t.regex((await paid.locator('time').first().textContent()) ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
      t.is(await paid.getByRole('link', { name: `order ${orderId}` }).getAttribute('href'), `/orders/${orderId}`);
      await app.screenshot(page, 'audit-details');
    },
  );

  const api = () => app.api;
}
