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

  test.serial(`${dialect}: a staff member signs in, lands on the console with their name, and signs out`, async (t) => {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.api.url}/orders`);
    t.regex(page.url(), /\/sign-in\?next=%2Forders$/);
    await app.screenshot(page, 'sign-in');
    await page.getByLabel('Email').fill(staff.operator.email);
    await page.getByLabel('Password').fill(staff.operator.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/orders$/);
    t.is(await page.getByRole('heading', { level: 1 }).textContent(), 'Orders');
    t.true(await page.getByText('Otto Operator').isVisible());

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'kw_session');
    t.truthy(session);
    t.true(session?.httpOnly);
    t.is(session?.sameSite, 'Lax');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in\?signedOut=1$/);
    t.true(await page.getByText('You are signed out.').isVisible());
    await page.goto(`${app.api.url}/orders`);
    t.regex(page.url(), /\/sign-in/);
    await context.close();
  });

  test.serial(
    `${dialect}: a wrong password is refused next to the form; repeated failures are rate-limited per email and address`,
    async (t) => {
      const context = await app.browser.newContext();
      const page = await context.newPage();
      for (let i = 0; i < 5; i += 1) {
        await page.goto(`${app.api.url}/sign-in`);
        await page.getByLabel('Email').fill(staff.viewer.email);
        await page.getByLabel('Password').fill(`wrong-password-${i}`);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForLoadState('domcontentloaded');
        t.true(await page.getByRole('alert').getByText('The email or password is not right.').isVisible());
      }
      await page.getByLabel('Email').fill(staff.viewer.email);
      await page.getByLabel('Password').fill(staff.viewer.password);
      const answer = page.waitForResponse((r) => r.url().endsWith('/sign-in') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Sign in' }).click();
      t.is((await answer).status(), 429);
      t.regex((await page.getByRole('alert').textContent()) ?? '', /Too many failed sign-ins/);
      await app.screenshot(page, 'sign-in-rate-limited');
      // Other people are not locked out by someone else's failures.
      await page.getByLabel('Email').fill(staff.admin.email);
      await page.getByLabel('Password').fill(staff.admin.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Home' }).waitFor();
      await context.close();
    },
  );

  test.serial(`${dialect}: empty fields are named next to the field`, async (t) => {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.api.url}/sign-in`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState('domcontentloaded');
    t.is(await page.locator('#f-email-error').textContent(), 'Enter your email address.');
    t.is(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
    await context.close();
  });

  test.serial(`${dialect}: a form posted without its CSRF token is refused and changes nothing`, async (t) => {
    const { page } = await app.signedIn('admin');
    const configurations = async () =>
      Number((await app.api.running.context.db('ka_configurations').count({ n: '*' }).first())?.n);
    const before = await configurations();
    // A forged cross-site form: same cookies, no token.
    const status = await page.evaluate(async () => {
      const res = await fetch('/ka-configurations', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'plugin=parallels-ka&name=Forged',
      });
      return res.status;
    });
    t.is(status, 403);
    const wrong = await page.evaluate(async () => {
      const res = await fetch('/sign-out', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '_csrf=not-the-token',
      });
      return { status: res.status, text: await res.text() };
    });
    t.is(wrong.status, 403);
    t.regex(wrong.text, /security token is missing or stale/);
    t.is(await configurations(), before);
    // Uploads are checked after the multipart body is parsed, before anything is stored.
    const upload = await page.evaluate(async () => {
      const form = new FormData();
      form.set('keyNumbers', 'PLSK.00000001');
      form.set('files', new Blob(['<key/>'], { type: 'text/xml' }), 'key.xml');
      const res = await fetch('/licenses/new/upload', { method: 'POST', body: form });
      return res.status;
    });
    t.is(upload, 403);
    t.is(Number((await app.api.running.context.db('license_files').count({ n: '*' }).first())?.n), 0);
    // Still signed in: the forged sign-out did nothing.
    await page.goto(`${app.api.url}/orders`);
    t.regex(page.url(), /\/orders$/);
  });
}
