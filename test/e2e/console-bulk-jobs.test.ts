import { StaffUserStore } from '../../src/features/auth/staff-user-store.js';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { launchChromium, signIn, staff } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: staff terminate checked licenses in bulk from the list: asked "Terminate 2 licenses?", then the job's bar fills live; viewers get no bulk form`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'bulk-console', ip: '203.0.113.41' });
      const browser = await launchChromium();
      t.teardown(async () => {
        await browser.close();
        await rig.close();
      });
      const { api, xmlrpc } = rig;
      const users = new StaffUserStore();
      for (const u of [staff.operator, staff.viewer]) await users.create(api.running.context.db, u);
      const licenses = [
        ...(await rig.buyAndWaitInstalled('bulk-console-1')).licenses,
        ...(await rig.buyAndWaitInstalled('bulk-console-2')).licenses,
        ...(await rig.buyAndWaitInstalled('bulk-console-3')).licenses,
      ].filter((l) => l.configurationId === rig.rasConfigurationId);

      const page = await (await browser.newContext()).newPage();
      const consoleErrors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      await signIn(page, api.url, staff.operator.email, staff.operator.password);
      await page.goto(`${api.url}/licenses?configuration=${rig.rasConfigurationId}`);
      const [first, second, third] = licenses;
      await page.getByLabel(`Choose ${first?.keyNumber}`).check();
      await page.getByLabel(`Choose ${second?.keyNumber}`).check();
      await page.getByLabel(/^Bulk action on/).selectOption('terminate');
      await page.getByRole('button', { name: 'Run' }).click();
      await page.getByRole('heading', { name: 'Terminate 2 licenses?' }).waitFor();
      // A slow KA: the job is still running when its page opens, and the page follows it.
      xmlrpc.authority.injectFault('TerminateKey', { kind: 'latency', ms: 1200 }, { times: 2 });
      await page.getByRole('button', { name: 'Yes, terminate 2 licenses' }).click();
      await page.getByText('0 done · 0 failed · 0 skipped · 0 cancelled · 2 left').waitFor();
      t.truthy(await page.locator('[data-progress-url]').getAttribute('data-progress-url'));

      // The job's page: the script follows the job until it has ended, then shows it ended.
      await page
        .getByText('2 done · 0 failed · 0 skipped · 0 cancelled · 0 left')
        .waitFor({ timeout: 30_000 })
        .catch(async (err: unknown) => {
          t.log(await page.locator('main').textContent(), consoleErrors);
          throw err;
        });
      t.regex(page.url(), /\/bulk-jobs\/\d+/);
      t.deepEqual(consoleErrors, [], 'the progress script ran within the page policy');
      t.is(await page.locator('progress.bulk-progress').getAttribute('value'), '2');
      const keyAtKa = (keyNumber: unknown) => xmlrpc.authority.listKeys().find((k) => k.keyNumber === keyNumber);
      t.true(keyAtKa(first?.keyNumber)?.terminated);
      t.true(keyAtKa(second?.keyNumber)?.terminated);
      t.false(keyAtKa(third?.keyNumber)?.terminated, 'the unchecked row is left alone');
      await page.goto(`${api.url}/bulk-jobs`);
      t.is(await page.locator('main tbody tr').count(), 1);

      const viewer = await (await browser.newContext()).newPage();
      await signIn(viewer, api.url, staff.viewer.email, staff.viewer.password);
      await viewer.goto(`${api.url}/licenses?configuration=${rig.rasConfigurationId}`);
      t.is(await viewer.locator('#bulk-form').count(), 0);
      await viewer.goto(`${api.url}/bulk-jobs`);
      t.is(await viewer.locator('main tbody tr').count(), 1, 'viewers see the jobs');
    },
  );
}
