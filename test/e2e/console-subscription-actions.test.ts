import { waitFor } from '../helpers/wait-for.js';
import { type Console, startConsole } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();

type Body = Record<string, unknown>;
let app: Console;

test.before(async () => {
  // The embedded default: the demo catalogue and its reference KAs in-process.
  app = await startConsole('sqlite', {
    KEYWAY_DEMO: 'true',
    KEYWAY_ADMIN_EMAIL: 'first-admin@example.com',
    KEYWAY_ADMIN_PASSWORD: 'first-admin-password',
  });
});
test.after.always(async () => {
  await app?.close();
});

/** The subscription's license operations of `kind`, once every one has succeeded. */
function settled(id: unknown, kind: string) {
  return waitFor(async () => {
    const list = await app.api.request<{ data: Body[] }>('GET', `/api/v1/subscriptions/${id}/license-operations`);
    const ops = list.body.data.filter((o) => o.kind === kind);
    return ops.length > 0 && ops.every((o) => o.state === 'succeeded') ? ops : undefined;
  }, `the ${kind} operations to succeed`);
}

test.serial(
  'an operator suspends and resumes a subscription, sees licenses suspended in Keyway only, schedules a cancel at the term end after confirming, then cancels it now; a viewer sees no actions',
  async (t) => {
    const { api } = app;
    const order = await api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId: 1, planId: 1, period: 12, reference: 'console-cancel-1' },
    });
    const paid = await api.request<{ subscription: Body }>('POST', `/api/v1/orders/${order.body.id}/pay`, {
      body: { paymentReference: 'pay-console-cancel-1' },
    });
    const id = paid.body.subscription.id;
    await waitFor(async () => {
      const s = await api.request<{ licenses: Body[] }>('GET', `/api/v1/subscriptions/${id}`);
      return s.body.licenses.length >= 3 && s.body.licenses.every((l) => l.status === 'installed');
    }, 'the demo licenses installed');

    const viewer = await app.signedIn('viewer');
    await viewer.page.goto(`${api.url}/subscriptions/${id}`);
    t.is(await viewer.page.getByRole('heading', { name: 'Actions' }).count(), 0, 'viewers do not act');

    const { page } = await app.signedIn('operator');
    await page.goto(`${api.url}/subscriptions/${id}`);
    await page.getByRole('button', { name: 'Suspend (non-payment)' }).click();
    await page.waitForLoadState('domcontentloaded');
    t.true(await page.getByText('Suspended: each license is being suspended').isVisible());
    await settled(id, 'suspend');
    await page.reload();
    t.true((await page.getByText('suspended in Keyway only').count()) > 0, 'a plugin without suspend: Keyway only');
    await app.screenshot(page, 'subscription-suspended');

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForLoadState('domcontentloaded');
    t.true(await page.getByText('Resumed: each suspended license is being resumed.').isVisible());
    await settled(id, 'resume');

    // Without the confirmation nothing happens.
    await page.getByRole('button', { name: 'Cancel subscription' }).click();
    await page.waitForLoadState('domcontentloaded');
    t.true(await page.getByText('Confirm that every license of the subscription stops working.').isVisible());
    t.is((await api.request<Body>('GET', `/api/v1/subscriptions/${id}`)).body.cancelsAt, null);

    await page.getByLabel('At the end of the term').check();
    await page.getByLabel(/stop working/).check();
    await page.getByRole('button', { name: 'Cancel subscription' }).click();
    await page.waitForLoadState('domcontentloaded');
    t.true(await page.getByText('The subscription cancels at the end of its term.').isVisible());
    t.true(await page.getByText('Cancels on', { exact: true }).isVisible());
    const licenseCount = ((await api.request<Body>('GET', `/api/v1/subscriptions/${id}`)).body.licenses as unknown[])
      .length;
    t.is(
      await page.locator('td span.muted', { hasText: 'cancels on' }).count(),
      licenseCount,
      'each license cancels on the date',
    );
    t.true(await page.getByRole('button', { name: 'Withdraw the cancel' }).isVisible());
    await app.screenshot(page, 'subscription-cancels-on');

    await page.getByLabel('Now').check();
    await page.getByLabel(/stop working/).check();
    await page.getByRole('button', { name: 'Cancel subscription' }).click();
    await page.waitForLoadState('domcontentloaded');
    t.true(await page.getByText('Cancelled: each license is being terminated at its KA.').isVisible());
    await settled(id, 'terminate');
    await page.reload();
    t.is(
      await page.getByRole('heading', { name: 'Actions' }).count(),
      0,
      'nothing more to do on a cancelled subscription',
    );
    t.is((await api.request<Body>('GET', `/api/v1/subscriptions/${id}`)).body.state, 'cancelled');
  },
);
