import { StaffUserStore } from '../../src/features/auth/staff-user-store.js';
import { startQuotaRig } from '../helpers/quota-rig.js';
import { testDialects } from '../helpers/test-database.js';
import { launchChromium, signIn, staff } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();

type Body = Record<string, unknown>;

// The license page of a counted key: its quota, its additional keys with their actions, its farms with deactivate and CSV.
for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: an operator sees the key's quota, makes, changes and deletes an additional key, is told what is left when one does not fit, and deactivates a farm`,
    async (t) => {
      const rig = await startQuotaRig(dialect, 'soap', { planCode: 'console-keys', ip: '203.0.113.69' });
      const browser = await launchChromium();
      try {
        await new StaffUserStore().create(rig.api.running.context.db, staff.operator);
        const { license } = await rig.buy('console-keys', 4);
        await rig.activateFarm(String(license.keyNumber), 'server-console', 'Console farm');
        const context = await browser.newContext();
        const page = await context.newPage();
        await signIn(page, rig.api.url, staff.operator.email, staff.operator.password);
        await page.goto(`${rig.api.url}/licenses/${license.id}`);
        await t.notThrowsAsync(page.getByText('20 users').first().waitFor());

        const keys = page.getByRole('region', { name: 'Keys' });
        await page.getByLabel('Quota (required)').fill('8');
        await page.locator('#f-new-key-name').fill('Branch');
        await page.getByRole('button', { name: 'Create additional key' }).click();
        await t.notThrowsAsync(page.getByText('The KA created the additional key').waitFor());
        t.true(await keys.getByRole('cell', { name: 'Reserved' }).isVisible());
        t.true(await keys.getByText('12 left').isVisible());

        await page.getByLabel('Quota (required)').fill('15');
        await page.getByRole('button', { name: 'Create additional key' }).click();
        await t.notThrowsAsync(
          page
            .getByText(/only 12 users of the primary's quota are left/)
            .first()
            .waitFor(),
        );

        const additional = (
          await rig.api.request<{ data: Body[] }>('GET', `/api/v1/licenses/${license.id}/additional-keys`)
        ).body.data[0] as Body;
        await page.locator(`#quota-${additional.id}`).fill('10');
        await page.locator(`#quota-${additional.id}`).press('Enter');
        await t.notThrowsAsync(page.getByText('The KA changed the additional key').waitFor());
        t.true(await page.getByRole('region', { name: 'Keys' }).getByText('10 left').isVisible());

        const farms = page.getByRole('region', { name: 'Activations' });
        t.true(await farms.getByRole('cell', { name: 'Console farm' }).isVisible());
        const csv = await context.request.get(`${rig.api.url}/licenses/${license.id}/activations.csv`);
        t.true((await csv.text()).includes('server-console'));
        await farms.getByRole('button', { name: 'Deactivate', exact: true }).click();
        await t.notThrowsAsync(page.getByText('The KA deactivated the farms').waitFor());
        t.is(rig.authority.getKey(String(license.keyNumber)).farms.filter((f) => f.status === 'active').length, 0);

        await page.getByRole('region', { name: 'Keys' }).getByRole('button', { name: 'Delete' }).click();
        await t.notThrowsAsync(page.getByText('The KA deleted the additional key').waitFor());
        await context.close();
      } finally {
        await browser.close();
        await rig.close();
      }
    },
  );
}
