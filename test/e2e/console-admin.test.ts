import { testDialects } from '../helpers/test-database.js';
import { type Console, staff, startConsole } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();

for (const dialect of testDialects()) {
  let app: Console;
  test.before(async () => {
    app = await startConsole(dialect);
  });
  test.after.always(async () => {
    await app?.close();
  });

  test.serial(`${dialect}: admin pages answer a viewer and an operator 403, even with their form token`, async (t) => {
    for (const who of ['viewer', 'operator'] as const) {
      const { page } = await app.signedIn(who);
      t.is(await page.getByRole('link', { name: 'API tokens' }).count(), 0, 'not offered');
      for (const path of ['/admin/api-tokens', '/admin/staff'])
        t.is((await page.goto(`${app.api.url}${path}`))?.status(), 403, `${who} GET ${path}`);
      await page.goto(`${app.api.url}/orders`);
      const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
      for (const path of [
        '/admin/api-tokens',
        '/admin/api-tokens/1/revoke',
        '/admin/staff',
        '/admin/staff/1/disable',
      ]) {
        const answer = await page.request.post(`${app.api.url}${path}`, {
          form: { _csrf: csrf, name: 'x', role: 'admin', email: 'x@example.com', password: 'long-enough-password' },
        });
        t.is(answer.status(), 403, `${who} POST ${path}`);
      }
    }
    t.is(
      await app.api.running.context
        .db('api_tokens')
        .where({ name: 'x' })
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      0,
    );
  });

  test.serial(
    `${dialect}: an admin creates an API token, sees it once, and revokes it; each step is audited`,
    async (t) => {
      const { page } = await app.signedIn('admin');
      await page.goto(`${app.api.url}/`);
      await page.getByRole('link', { name: 'API tokens' }).click();
      await page.getByLabel('Name').fill('Shop front');
      await page.getByLabel('Role').selectOption('store');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.waitForLoadState('domcontentloaded');
      const token = (await page.locator('[data-token]').textContent())?.trim() ?? '';
      t.regex(token, /^kw_/);
      const used = await app.api.request('GET', '/api/v1/plans', { token });
      t.is(used.status, 200, 'the new token works');
      await page.goto(`${app.api.url}/admin/api-tokens`);
      t.is(await page.getByText(token).count(), 0, 'shown once only');
      const row = page.locator('tr', { hasText: 'Shop front' });
      t.false(((await row.textContent()) ?? '').includes('never'), 'its last use is shown');
      await row.getByRole('button', { name: 'Revoke Shop front' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.true(await page.getByText('The token is revoked.').isVisible());
      t.is((await app.api.request('GET', '/api/v1/plans', { token })).status, 401, 'a revoked token is refused');
      const actions = await app.api.running.context
        .db('audit_events')
        .where({ entity_type: 'api_token' })
        .orderBy('id')
        .pluck('action');
      t.deepEqual(actions.slice(-2), ['api_token.created', 'api_token.revoked']);
    },
  );

  test.serial(
    `${dialect}: an admin creates a staff user, changes their role and disables them; the last admin stays`,
    async (t) => {
      const { page } = await app.signedIn('admin');
      await page.goto(`${app.api.url}/admin/staff`);
      await page.locator('#f-email').fill('New.Person@Example.com');
      await page.locator('#f-name').fill('New Person');
      await page.locator('#f-role').selectOption('viewer');
      await page.locator('#f-password').fill('short');
      await page.getByRole('button', { name: 'Create staff user' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.true(((await page.locator('#f-password-error').textContent()) ?? '').length > 0, 'a weak password is refused');
      await page.locator('#f-password').fill('a-long-enough-password-1');
      await page.getByRole('button', { name: 'Create staff user' }).click();
      await page.waitForURL(/done=created/);
      const row = page.locator('tr', { hasText: 'new.person@example.com' });
      await row.getByLabel('Role of new.person@example.com').selectOption('operator');
      await row.getByRole('button', { name: 'Change role of new.person@example.com' }).click();
      await page.waitForURL(/done=role/);
      await page
        .locator('tr', { hasText: 'new.person@example.com' })
        .getByRole('button', { name: 'Disable new.person@example.com' })
        .click();
      await page.waitForURL(/done=disable/);
      t.true(await page.locator('tr', { hasText: 'new.person@example.com' }).getByText('disabled').isVisible());
      const actions = await app.api.running.context
        .db('audit_events')
        .where({ entity_type: 'staff_user' })
        .orderBy('id')
        .pluck('action');
      t.deepEqual(actions.slice(-3), ['staff_user.created', 'staff_user.role_changed', 'staff_user.disabled']);

      // The first start made admin@example.com; with it disabled, Ada is the last admin who can sign in.
      await page
        .locator('tr', { hasText: 'admin@example.com' })
        .filter({ hasNotText: staff.admin.email })
        .getByRole('button', { name: 'Disable admin@example.com' })
        .click();
      await page.waitForURL(/done=disable/);
      await page
        .locator('tr', { hasText: staff.admin.email })
        .getByRole('button', { name: `Disable ${staff.admin.email}` })
        .click();
      await page.waitForLoadState('domcontentloaded');
      t.true(await page.getByText('The last admin cannot be disabled').isVisible());
      await app.screenshot(page, 'staff-users');
    },
  );
}
