import { orderSnapshot } from '../../src/features/events/event-snapshots.js';
import { waitFor } from '../helpers/wait-for.js';
import { type Console, startConsole } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();

type Body = Record<string, unknown>;
let app: Console;

test.before(async () => {
  // The embedded default: the demo catalogue and KAs in-process, mail into the built-in mailbox.
  app = await startConsole('sqlite', {
    KEYWAY_DEMO: 'true',
    KEYWAY_DELIVER_EVERY_MS: '100',
    // A first admin of its own, so the demo does not make admin@example.com (the harness's admin).
    KEYWAY_ADMIN_EMAIL: 'first-admin@example.com',
    KEYWAY_ADMIN_PASSWORD: 'first-admin-password',
  });
});
test.after.always(async () => {
  await app?.close();
});

test.serial('paying the demo order shows the "license installed" mail with its key number under Mail', async (t) => {
  const { api } = app;
  const order = await api.request<Body>('POST', '/api/v1/orders', {
    body: { customerId: 1, planId: 1, period: 12, reference: 'console-mail-1' },
  });
  await api.request('POST', `/api/v1/orders/${order.body.id}/pay`, { body: { paymentReference: 'pay-console-1' } });
  const licenses = await waitFor(async () => {
    const list = await api.request<{ data: Body[] }>('GET', '/api/v1/licenses?status=installed');
    return list.body.data.length >= 3 ? list.body.data : undefined;
  }, 'the demo licenses installed');
  const { page } = await app.signedIn('admin');
  await waitFor(async () => {
    await page.goto(`${api.url}/mail`);
    return (await page.locator('details.mail').count()) >= 3;
  }, 'three mails in the built-in mailbox');
  t.true(await page.getByRole('heading', { name: 'Built-in mailbox' }).isVisible());
  for (const license of licenses) {
    const mail = page.locator('details.mail', { hasText: String(license.keyNumber) });
    t.is(await mail.count(), 1, `the mail of key ${license.keyNumber}`);
  }
  const first = page.locator('details.mail').first();
  await first.locator('summary').click();
  t.regex((await first.locator('pre').textContent()) ?? '', /Key number:\s+\S+\nActivation code:/);
  await app.screenshot(page, 'mail-catch-all');

  t.true(await page.getByText('not verified').isVisible());
  await page.getByLabel('Send a test e-mail to').fill('ops@example.com');
  await page.getByRole('button', { name: 'Send test e-mail' }).click();
  await page.waitForLoadState('domcontentloaded');
  t.true(await page.getByText('The server accepted the test e-mail').isVisible());
  t.true(await page.getByText('verified', { exact: true }).isVisible());
});

test.serial(
  'staff record a payment in the console: the order is paid, and its event names it as a read does',
  async (t) => {
    const { api } = app;
    const order = await api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId: 1, planId: 1, period: 12, reference: 'console-pay-1' },
    });
    const { page } = await app.signedIn('operator');
    await page.goto(`${api.url}/orders/${order.body.id}`);
    await page.getByLabel('Payment reference').fill('pay-console-form-1');
    await page.getByRole('button', { name: 'Record payment' }).click();
    await page.waitForLoadState('domcontentloaded');
    t.regex(page.url(), /done=paid/);
    const paid = await api.request<Body>('GET', `/api/v1/orders/${order.body.id}`);
    t.is(paid.body.state, 'paid');
    t.is(paid.body.paymentReference, 'pay-console-form-1');
    const db = api.running.context.db;
    const told = await db('outbox_events')
      .where({ type: 'order.paid', entity_id: String(order.body.id) })
      .first();
    t.deepEqual(JSON.parse(told?.payload ?? 'null'), await orderSnapshot(db, order.body.id as number));
  },
);

test.serial('an admin adds a webhook endpoint in the console: the secret is shown once, then masked', async (t) => {
  const { page } = await app.signedIn('admin');
  await page.goto(`${app.api.url}/webhooks`);
  await page.getByLabel('URL').fill('https://hooks.example.test/keyway');
  await page.getByLabel('Event types').fill('license.installed, order.paid');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.waitForLoadState('domcontentloaded');
  const shown = await page.getByText('The signing secret, shown this once').textContent();
  t.regex(shown ?? '', /whsec_/);
  await page.goto(`${app.api.url}/webhooks`);
  await page.getByRole('link', { name: 'https://hooks.example.test/keyway' }).click();
  await page.waitForLoadState('domcontentloaded');
  t.false((await page.content()).includes('whsec_'));
  t.true(await page.getByText('******** (write-only)').isVisible());
  await app.screenshot(page, 'webhook-endpoint');

  const { page: viewerPage } = await app.signedIn('viewer');
  await viewerPage.goto(`${app.api.url}/webhooks`);
  t.is(await viewerPage.getByRole('button', { name: 'Add endpoint' }).count(), 0);
});
