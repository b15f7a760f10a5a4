import { testDialects } from '../helpers/test-database.js';
import type { Page } from 'playwright-core';
import { type ReferenceXmlRpcKa, startReferenceXmlRpcKa } from '../../plugins/parallels-ka/src/reference-server.js';
import { DEMO_ACCOUNT } from '../../src/reference-ka/demo-catalogue.js';
import { waitFor } from '../helpers/wait-for.js';
import { type Console, startConsole } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();

type Body = Record<string, unknown>;

const xssName = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
for (const dialect of testDialects()) {
  let app: Console;
  let ka: ReferenceXmlRpcKa;
  let configurationId: number;
  let planId: number;
  let customerId: number;
  let orders = 0;

  /** Every page is checked for injected markup: nothing a customer or upload typed may run. */
  async function assertNoInjectedScript(
    t: { is(a: unknown, b: unknown, m?: string): void },
    page: Page,
  ): Promise<void> {
    t.is(
      await page.evaluate(() => (window as unknown as { __xss?: number }).__xss),
      undefined,
      'no injected script ran',
    );
    t.is(await page.locator('main img[src="x"]').count(), 0, 'no injected element');
  }

  test.before(async () => {
    ka = await startReferenceXmlRpcKa();
    app = await startConsole(dialect, {
      KEYWAY_RETRY_INITIAL_DELAY_MS: '30',
      KEYWAY_RETRY_MAX_DELAY_MS: '200',
      KEYWAY_RECONCILE_EVERY_MS: '500',
      KEYWAY_RETRY_MAX_ATTEMPTS: '2',
    });
    const customer = await app.api.request<Body>('POST', '/api/v1/customers', {
      body: { name: xssName, email: 'xss@example.com' },
    });
    customerId = customer.body.id as number;
  });
  test.after.always(async () => {
    await app?.close();
    await ka?.close();
  });

  async function payOrder(): Promise<{ requestId: number; subscriptionId: number }> {
    orders += 1;
    const order = await app.api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId, planId, period: 12, reference: `console-${orders}` },
    });
    const paid = await app.api.request<{ subscription: { id: number; licenseRequests: Body[] } }>(
      'POST',
      `/api/v1/orders/${order.body.id}/pay`,
      { body: { paymentReference: `pay-${orders}` } },
    );
    return {
      requestId: paid.body.subscription.licenseRequests[0]?.id as number,
      subscriptionId: paid.body.subscription.id,
    };
  }

  const requestState = async (id: number) =>
    String((await app.api.running.context.db('license_requests').where({ id }).first())?.state);

  test.serial(
    `${dialect}: an admin creates a KA configuration from the plugin settings form, sees field errors, and tests its connection`,
    async (t) => {
      const { page } = await app.signedIn('admin');
      await page.goto(`${app.api.url}/ka-configurations`);
      await page.getByRole('link', { name: 'New configuration' }).click();
      if (await page.getByLabel('KA plugin').isVisible()) {
        await page.getByLabel('KA plugin').selectOption('parallels-ka');
        await page.getByRole('button', { name: 'Continue' }).click();
      }
      await page.getByLabel('Name (the tab label)').fill('Reference KA');
      await page.getByLabel('Endpoint URL').fill('not a url');
      await page.getByLabel('Login').fill(DEMO_ACCOUNT.login);
      await page.getByLabel('Password').fill(DEMO_ACCOUNT.password);
      await page.getByLabel('Client id').fill(String(DEMO_ACCOUNT.clientId));
      await page.getByRole('button', { name: 'Create configuration' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.is(await page.locator('#f-settings\\.endpoint-error').textContent(), 'must be a URL');
      t.is(await page.getByLabel('Password').inputValue(), '', 'a secret is never echoed back');
      await app.screenshot(page, 'ka-configuration-form-errors');

      await page.getByLabel('Endpoint URL').fill(ka.url);
      await page.getByLabel('Password').fill(DEMO_ACCOUNT.password);
      await page.getByRole('button', { name: 'Create configuration' }).click();
      await page.waitForURL(/\/ka-configurations\/\d+\?done=created$/);
      configurationId = Number(/\/ka-configurations\/(\d+)/.exec(page.url())?.[1]);
      t.true(await page.getByText('Configuration created.').isVisible());
      t.false((await page.content()).includes(DEMO_ACCOUNT.password), 'the password is not on the page');

      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.regex((await page.locator('.notice').last().textContent()) ?? '', /Connection works/);

      await waitFor(
        async () =>
          (await app.api.running.context.db('ka_configurations').where({ id: configurationId }).first())?.status ===
          'configured',
        'products to be fetched',
      );
      await page.goto(`${app.api.url}/ka-configurations/${configurationId}`);
      t.true(await page.getByRole('cell', { name: 'PLESK-12-WEB-HOST' }).first().isVisible());
      await app.screenshot(page, 'ka-configuration');
      await page.goto(`${app.api.url}/ka-configurations`);
      await app.screenshot(page, 'ka-configurations');

      const plan = await app.api.request<Body>('POST', '/api/v1/plans', {
        body: {
          code: 'console-plesk',
          name: 'Console Plesk',
          periods: [12],
          licenseProducts: [{ configurationId, product: 'PLESK-12-WEB-HOST', features: ['FT-POWER-PACK'] }],
        },
      });
      planId = plan.body.id as number;
    },
  );

  test.serial(
    `${dialect}: an order placed and paid through the API shows its license in its tab; customer names render as text`,
    async (t) => {
      const { requestId, subscriptionId } = await payOrder();
      await waitFor(async () => (await requestState(requestId)) === 'installed', 'the license to be installed');
      const { page } = await app.signedIn('operator');
      await page.goto(`${app.api.url}/licenses`);
      const tab = page
        .getByRole('navigation', { name: 'KA configurations' })
        .getByRole('link', { name: /Reference KA/ });
      t.is(await tab.getAttribute('aria-current'), 'page');
      const row = page.locator('tbody tr').first();
      t.regex((await row.textContent()) ?? '', /PLESK-12-WEB-HOST/);
      t.true(await row.getByText(xssName).isVisible(), 'the customer name shows as the text it is');
      t.regex(
        (await row.getByRole('link', { name: `#${subscriptionId}` }).getAttribute('href')) ?? '',
        /\/subscriptions\//,
      );
      await assertNoInjectedScript(t, page);
      await app.screenshot(page, 'licenses');

      // The first link of the row is its key number (operators' rows start with a bulk checkbox).
      await row.getByRole('link').first().click();
      await page.waitForURL(/\/licenses\/\d+$/);
      t.regex((await page.getByRole('heading', { level: 1 }).textContent()) ?? '', /^License /);
      t.true(await page.getByText('license_request.installed').first().isVisible());
      const fileLink = page.locator('a[download]').first();
      const download = await page.request.get(`${app.api.url}${await fileLink.getAttribute('href')}`);
      t.is(download.status(), 200);
      t.regex(download.headers()['content-disposition'] ?? '', /^attachment;/);
      await assertNoInjectedScript(t, page);
      await app.screenshot(page, 'license-details');

      const csv = await page.request.get(`${app.api.url}/licenses.csv?configuration=${configurationId}`);
      t.is(csv.status(), 200);
      t.regex(await csv.text(), /PLESK-12-WEB-HOST/);

      await page.goto(`${app.api.url}/subscriptions/${subscriptionId}`);
      t.true(await page.getByText(xssName).first().isVisible());
      await assertNoInjectedScript(t, page);
      await app.screenshot(page, 'subscription');
      await page.goto(`${app.api.url}/orders`);
      await assertNoInjectedScript(t, page);
      await app.screenshot(page, 'orders');
    },
  );

  test.serial(
    `${dialect}: the KA refuses: the request is under "needs attention"; staff upload key and file in the form and it is installed`,
    async (t) => {
      ka.authority.injectFault(
        'createKey',
        { kind: 'result', code: 244, message: 'Feature is not applicable' },
        { times: 1 },
      );
      const { requestId } = await payOrder();
      await waitFor(async () => (await requestState(requestId)) === 'needs_manual', 'the request to need manual work');

      const { page } = await app.signedIn('operator');
      await page.goto(`${app.api.url}/`);
      await page.locator('a.stat.attention').first().click();
      await page.waitForURL(/\/license-requests\?state=needs_manual/);
      t.regex((await page.getByRole('heading', { name: /Needs attention/ }).textContent()) ?? '', /\(1\)/);
      t.true(
        await page
          .getByText(/the KA refused/)
          .first()
          .isVisible(),
      );
      await app.screenshot(page, 'license-requests');
      await page.getByRole('link', { name: `#${requestId}` }).click();
      await page.waitForURL(new RegExp(`/license-requests/${requestId}$`));

      // A file name with markup is refused, and the refusal shows it as nothing but text.
      const { main } = ka.authority.createKey(DEMO_ACCOUNT.clientId, {
        productId: 'PLESK-12-WEB-HOST',
        features: ['FT-POWER-PACK'],
        server: { ips: [], macs: [] },
      });
      const file = ka.authority.keyFile(main.keyNumber);
      await page.getByLabel('Key number(s)').fill(file.fullKeyNumber);
      await page.getByLabel('License file(s)').setInputFiles({
        name: '<img src=x onerror="window.__xss=3">.xml',
        mimeType: 'text/xml',
        buffer: Buffer.from(file.content),
      });
      await page.getByRole('button', { name: 'Upload and install' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.regex((await page.locator('#f-files-error').textContent()) ?? '', /file name contains one of/);
      t.is(await page.getByLabel('Key number(s)').inputValue(), file.fullKeyNumber, 'what was typed is kept');
      await assertNoInjectedScript(t, page);
      t.is(await requestState(requestId), 'needs_manual', 'nothing was stored');
      await app.screenshot(page, 'license-request-upload-refused');

      await page
        .getByLabel('License file(s)')
        .setInputFiles({ name: `${main.keyNumber}.xml`, mimeType: 'text/xml', buffer: Buffer.from(file.content) });
      await page.getByRole('button', { name: 'Upload and install' }).click();
      await page.waitForURL(/\?done=uploaded$/);
      await waitFor(
        async () => (await requestState(requestId)) === 'installed',
        'the uploaded license to be installed',
      );
      await page.reload();
      t.true(await page.locator('dl.facts').getByText('installed', { exact: true }).isVisible());
      t.true(await page.getByText('license_request.uploaded').isVisible());
      await app.screenshot(page, 'license-request');

      await page.goto(`${app.api.url}/licenses?configuration=${configurationId}&status=installed`);
      t.true(await page.getByRole('link', { name: main.keyNumber }).isVisible());
    },
  );

  test.serial(`${dialect}: a stored file name with markup renders as text on the license page`, async (t) => {
    const db = app.api.running.context.db;
    const license = await db('licenses').orderBy('id', 'desc').first();
    await db('license_files')
      .where({ license_id: license.id })
      .update({ file_name: '<img src=x onerror="window.__xss=4">.xml' });
    const { page } = await app.signedIn('viewer');
    await page.goto(`${app.api.url}/licenses/${license.id}`);
    // A viewer gets the name as text (no download link), an operator as a link: both escaped.
    t.true(await page.getByRole('cell', { name: '<img src=x onerror="window.__xss=4">.xml' }).isVisible());
    await assertNoInjectedScript(t, page);
    const operator = await app.signedIn('operator');
    await operator.page.goto(`${app.api.url}/licenses/${license.id}`);
    t.true(await operator.page.getByRole('link', { name: '<img src=x onerror="window.__xss=4">.xml' }).isVisible());
    await assertNoInjectedScript(t, operator.page);
  });

  test.serial(
    `${dialect}: a viewer sees no action buttons and is refused, with the reason, when posting anyway`,
    async (t) => {
      ka.authority.injectFault(
        'createKey',
        { kind: 'result', code: 244, message: 'Feature is not applicable' },
        { times: 1 },
      );
      const { requestId } = await payOrder();
      await waitFor(async () => (await requestState(requestId)) === 'needs_manual', 'the request to need manual work');
      const { page } = await app.signedIn('viewer');
      await page.goto(`${app.api.url}/license-requests/${requestId}`);
      t.is(await page.getByRole('button', { name: 'Retry online' }).count(), 0);
      t.is(await page.getByRole('button', { name: 'Upload and install' }).count(), 0);
      t.true(await page.getByText('Your role (viewer) can see this request').isVisible());
      await app.screenshot(page, 'license-request-viewer');
      await page.goto(`${app.api.url}/licenses?configuration=${configurationId}`);
      t.is(await page.getByRole('link', { name: 'New License' }).count(), 0);
      await page.goto(`${app.api.url}/ka-configurations/${configurationId}`);
      t.is(await page.getByRole('button', { name: 'Test connection' }).count(), 0);
      t.is(await page.getByRole('link', { name: 'Edit' }).count(), 0);

      // The viewer's own session token: the refusal is about the role, not about CSRF.
      const csrf = await page.evaluate(() => (document.querySelector('input[name="_csrf"]') as HTMLInputElement).value);
      const refused = await page.evaluate(
        async ({ id, token }) => {
          const res = await fetch(`/license-requests/${id}/retry`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: `_csrf=${encodeURIComponent(token)}`,
          });
          return { status: res.status, text: await res.text() };
        },
        { id: requestId, token: csrf },
      );
      t.is(refused.status, 403);
      t.regex(refused.text, /Role viewer may not do this; it needs one of: admin, operator/);
      t.is(await requestState(requestId), 'needs_manual');
    },
  );

  test.serial(
    `${dialect}: an operator retries online (recorded with their name), and cancels a request without a key`,
    async (t) => {
      const requestId = Number(
        (
          await app.api.running.context
            .db('license_requests')
            .where({ state: 'needs_manual' })
            .orderBy('id', 'desc')
            .first()
        )?.id,
      );
      const { page } = await app.signedIn('operator');
      await page.goto(`${app.api.url}/license-requests/${requestId}`);
      await page.getByRole('button', { name: 'Retry online' }).click();
      await page.waitForURL(/\?done=retried$/);
      t.true(await page.getByText('Back in the automatic pipeline').isVisible());
      t.true(await page.getByRole('cell', { name: 'license_request.retried' }).isVisible());
      // The pipeline decides what comes next (here the KA cannot tell whether the refused key
      // exists, so it comes back to staff); the page shows whichever step it reached, with actor.
      t.true(await page.getByRole('cell', { name: 'staff: Otto Operator' }).first().isVisible());
      // The retried request settles before the next fault is armed, or it could take that fault.
      await waitFor(
        async () => ['installed', 'needs_manual'].includes(await requestState(requestId)),
        'the retried request to settle',
      );

      ka.authority.injectFault(
        'createKey',
        { kind: 'result', code: 244, message: 'Feature is not applicable' },
        { times: 1 },
      );
      const other = await payOrder();
      await waitFor(
        async () => (await requestState(other.requestId)) === 'needs_manual',
        'the request to need manual work',
      );
      await page.goto(`${app.api.url}/license-requests/${other.requestId}`);
      await page.getByRole('button', { name: 'Cancel request' }).click();
      await page.waitForURL(/\?done=cancelled$/);
      t.is(await requestState(other.requestId), 'cancelled');
      // Retrying a cancelled request is refused with the reason, on the page.
      const again = await page.evaluate(
        async ({ id, token }) => {
          const res = await fetch(`/license-requests/${id}/retry`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: `_csrf=${encodeURIComponent(token)}`,
          });
          return { status: res.status, text: await res.text() };
        },
        {
          id: other.requestId,
          token: await page.evaluate(() => (document.querySelector('input[name="_csrf"]') as HTMLInputElement).value),
        },
      );
      t.is(again.status, 409);
      t.regex(again.text, /is cancelled; retry online is allowed only while it needs manual work/);
    },
  );

  test.serial(
    `${dialect}: an operator terminates a license's key at the KA after confirming; a viewer is not offered it`,
    async (t) => {
      const { requestId } = await payOrder();
      await waitFor(async () => (await requestState(requestId)) === 'installed', 'the license to be installed');
      const license = await app.api.running.context.db('licenses').where({ request_id: requestId }).first();
      const keyAtKa = () => ka.authority.listKeys().find((k) => k.keyNumber === license.key_number);

      const viewer = await app.signedIn('viewer');
      await viewer.page.goto(`${app.api.url}/licenses/${license.id}`);
      t.is(await viewer.page.getByRole('button', { name: 'Terminate key' }).count(), 0);

      const { page } = await app.signedIn('operator');
      await page.goto(`${app.api.url}/licenses/${license.id}`);
      // The XML-RPC plugin can terminate but not suspend, so only that is offered.
      t.is(await page.getByRole('button', { name: 'Suspend key' }).count(), 0);
      t.false(await page.getByLabel('Note').isVisible(), 'the terminate form is collapsed');
      await page.locator('summary', { hasText: 'Terminate…' }).click();
      await page.getByLabel('Note').fill('customer left');
      await page.getByRole('button', { name: 'Terminate key' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.true(await page.getByText('Confirm that the key stops working for good.').isVisible());
      t.is(await page.getByLabel('Note').inputValue(), 'customer left');
      t.false(keyAtKa()?.terminated);
      await app.screenshot(page, 'license-terminate-confirm');

      await page.getByLabel(`Key ${license.key_number} stops working for good`).check();
      await page.getByRole('button', { name: 'Terminate key' }).click();
      await page.waitForURL(/done=terminate/);
      t.true(await page.getByText('The KA terminated the key.').isVisible());
      t.true(await page.getByText('license.terminated').first().isVisible());
      t.is(await page.getByRole('button', { name: 'Terminate key' }).count(), 0);
      t.true(keyAtKa()?.terminated);
      const event = await app.api.running.context
        .db('audit_events')
        .where({ entity_type: 'license', entity_id: String(license.id), action: 'license.terminated' })
        .first();
      t.is(event.actor_name, 'Otto Operator');
      t.regex(String(event.data), /customer left/);
      await app.screenshot(page, 'license-terminated');
    },
  );

  test.serial(
    `${dialect}: a renewal whose answer was lost shows on the license page, and renewing again reads the key instead of renewing twice`,
    async (t) => {
      const { requestId } = await payOrder();
      await waitFor(async () => (await requestState(requestId)) === 'installed', 'the license to be installed');
      const license = await app.api.running.context.db('licenses').where({ request_id: requestId }).first();
      const keyAtKa = () => ka.authority.listKeys().find((k) => k.keyNumber === license.key_number);
      const revisionBefore = Number(keyAtKa()?.revision);

      const { page } = await app.signedIn('operator');
      await page.goto(`${app.api.url}/licenses/${license.id}`);
      ka.authority.injectFault('renewKey', { kind: 'drop' }, { times: 1 });
      await page.getByRole('button', { name: 'Renew key' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.regex((await page.locator('.notice.error').textContent()) ?? '', /may or may not have renewed/);
      t.true(await page.getByRole('heading', { name: 'Outcome of the renewal unknown' }).isVisible());
      t.is(Number(keyAtKa()?.revision), revisionBefore + 1, 'the KA renewed');
      await app.screenshot(page, 'license-operation-unknown');

      await page.getByRole('button', { name: 'Renew key' }).click();
      await page.waitForURL(/done=earlier/);
      t.true(await page.getByText('The KA had already done this').isVisible());
      t.is(await page.getByRole('heading', { name: 'Outcome of the renewal unknown' }).count(), 0);
      t.true(await page.getByText('license.operation_resolved').first().isVisible());
      t.is(Number(keyAtKa()?.revision), revisionBefore + 1, 'not renewed twice');
      await waitFor(async () => (await requestState(requestId)) === 'installed', 'the renewed file to be installed');

      // A claim another process holds: the page says so and offers no action until it is done.
      const now = Date.now();
      await app.api.running.context.db('license_operations').insert({
        license_id: license.id,
        open_license_id: license.id,
        kind: 'terminate',
        state: 'in_progress',
        reference: `kw-op-held-${dialect}`,
        parameters: '{}',
        attempts: 1,
        actor: JSON.stringify({ type: 'staff', name: 'Ada Admin' }),
        lease_until: now + 60_000,
        created_at: now,
        updated_at: now,
      });
      await page.goto(`${app.api.url}/licenses/${license.id}`);
      t.true(await page.getByRole('heading', { name: 'Termination in progress' }).isVisible());
      t.is(await page.getByRole('button', { name: 'Renew key' }).count(), 0);
      t.is(await page.getByRole('button', { name: 'Terminate key' }).count(), 0);
      await app.screenshot(page, 'license-operation-in-progress');

      // Its process died: past the lease, staff who checked the KA settle it by hand.
      await app.api.running.context
        .db('license_operations')
        .where({ reference: `kw-op-held-${dialect}` })
        .update({ lease_until: Date.now() - 1 });
      await page.goto(`${app.api.url}/licenses/${license.id}`);
      t.true(await page.getByRole('heading', { name: 'Outcome of the termination unknown' }).isVisible());
      await page.getByRole('button', { name: 'The KA did not do it' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.is(await page.locator('#f-settle-note-error').textContent(), 'Say what you checked at the KA.');
      await page.getByLabel('What you checked at the KA').fill('key is active in the KA portal');
      await app.screenshot(page, 'license-operation-settle');
      await page.getByRole('button', { name: 'The KA did not do it' }).click();
      await page.waitForURL(/done=settled/);
      t.is(await page.getByRole('heading', { name: 'Outcome of the termination unknown' }).count(), 0);
      t.true(await page.locator('summary', { hasText: 'Terminate…' }).isVisible(), 'terminating is offered again');
      t.false(keyAtKa()?.terminated);
    },
  );

  test.serial(
    `${dialect}: New License: a key requested through a configuration goes through the pipeline`,
    async (t) => {
      const { page } = await app.signedIn('operator');
      await page.goto(`${app.api.url}/licenses?configuration=${configurationId}`);
      await page.getByRole('link', { name: 'New License' }).click();
      await page.waitForURL(/\/licenses\/new/);
      await app.screenshot(page, 'new-license');
      await page.locator('#f-request-product').fill('PLESK-12-WEB-HOST');
      await page.getByRole('button', { name: 'Request key' }).click();
      await page.waitForURL(/\/license-requests\/\d+$/);
      const requestId = Number(/\/license-requests\/(\d+)$/.exec(page.url())?.[1]);
      await waitFor(async () => (await requestState(requestId)) === 'installed', 'the new license to be installed');

      await page.goto(`${app.api.url}/audit`);
      await page.getByLabel('Entity').fill(`license_request:${requestId}`);
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/\/audit\?/);
      const actions = await page.locator('tbody tr td:nth-child(3)').allTextContents();
      t.true(actions.includes('license_request.created'));
      t.true(actions.includes('license_request.installed'));
      await app.screenshot(page, 'audit');
      await page.getByLabel('Entity').fill('not an entity!');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.regex((await page.locator('#f-entity-error').textContent()) ?? '', /entity type/);
    },
  );
}
