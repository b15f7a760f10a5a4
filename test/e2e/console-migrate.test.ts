import { StaffUserStore } from '../../src/features/auth/staff-user-store.js';
import { startReferenceXmlRpcKa } from '../../plugins/parallels-ka/src/reference-server.js';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { waitFor } from '../helpers/wait-for.js';
import { launchChromium, signIn, staff } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();
type Body = Record<string, unknown>;

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: staff migrate the XML-RPC tab from "Migrate…": the preview lists the mapping, "Migrate 2 licenses" opens the bulk job's page; viewers get 403`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'migrate-console', ip: '203.0.113.62' });
      const newKa = await startReferenceXmlRpcKa();
      const browser = await launchChromium();
      t.teardown(async () => {
        await browser.close();
        await rig.close();
        await newKa.close();
      });
      const { api } = rig;
      const users = new StaffUserStore();
      for (const u of [staff.operator, staff.viewer]) await users.create(api.running.context.db, u);
      await rig.buyAndWaitInstalled('migrate-console-1');
      await rig.buyAndWaitInstalled('migrate-console-2');
      const target = await api.request<Body>('POST', '/api/v1/ka-configurations', {
        body: {
          name: 'Plesk keys (new server)',
          plugin: 'parallels-ka',
          settings: { login: 'demo-partner', password: 'demo-password', endpoint: newKa.url, clientId: 1001 },
        },
      });
      const targetId = target.body.id as number;
      // The form offers the target's products once they are fetched from its KA.
      await waitFor(async () => {
        const res = await api.request<{ products: unknown[] }>('GET', `/api/v1/ka-configurations/${targetId}`);
        return res.body.products.length > 0;
      }, 'the target configuration has its products');

      const page = await (await browser.newContext()).newPage();
      await signIn(page, api.url, staff.operator.email, staff.operator.password);
      await page.goto(`${api.url}/licenses?configuration=${rig.xmlConfigurationId}`);
      await page.getByRole('link', { name: 'Migrate…' }).click();
      await page.getByLabel('Target KA configuration').selectOption(String(targetId));
      await page.getByRole('button', { name: 'Choose' }).click();
      await page.getByLabel('Product at the target for PLESK-12-WEB-HOST').selectOption('PLESK-12-WEB-PRO');
      await page.getByRole('button', { name: 'Preview' }).click();

      const mapped = page.getByRole('table', { name: 'Mapped products' });
      await mapped.waitFor();
      t.deepEqual(await mapped.locator('tbody tr td').allTextContents(), [
        'PLESK-12-WEB-HOST',
        'PLESK-12-WEB-PRO',
        '2',
        '2',
      ]);
      t.is(newKa.authority.listKeys().length, 0, 'a preview changes nothing');
      t.deepEqual((await api.request<{ data: Body[] }>('GET', '/api/v1/bulk-jobs')).body.data, []);

      await page.getByRole('button', { name: 'Migrate 2 licenses' }).click();
      await page.waitForURL(/\/bulk-jobs\/\d+\?done=created$/);
      const jobId = Number(/\/bulk-jobs\/(\d+)/.exec(page.url())?.[1]);
      const job = await api.request<Body>('GET', `/api/v1/bulk-jobs/${jobId}`);
      t.like(job.body, { action: 'migrate', parameters: { targetConfigurationId: targetId, atRenewal: false } });
      t.like(job.body.counts as Body, { total: 2 });

      const viewer = await (await browser.newContext()).newPage();
      await signIn(viewer, api.url, staff.viewer.email, staff.viewer.password);
      await viewer.goto(`${api.url}/licenses?configuration=${rig.xmlConfigurationId}`);
      t.is(await viewer.getByRole('link', { name: 'Migrate…' }).count(), 0);
      const refused = await viewer.goto(`${api.url}/licenses/migrate?configuration=${rig.xmlConfigurationId}`);
      t.is(refused?.status(), 403);
    },
  );
}
