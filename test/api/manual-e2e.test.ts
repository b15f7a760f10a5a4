import test from 'ava';
import { DEMO_ACCOUNT } from '../../src/reference-ka/demo-catalogue.js';
import { testDialects } from '../helpers/test-database.js';
import { type Body, type ManualRig, multipart, startManualRig } from '../features/uploads/upload-fixtures.js';

for (const dialect of testDialects()) {
  let rig: ManualRig;
  test.before(async () => {
    rig = await startManualRig(dialect);
  });
  test.after.always(async () => {
    await rig?.close();
  });

  test.serial(
    `${dialect}: the KA refuses a paid order; staff upload the key the KA made by hand; it ends installed in its tab`,
    async (t) => {
      const requestId = await rig.needsManual();
      // Staff create the key in the KA's own console, then download its signed key file.
      const { main } = rig.ka.authority.createKey(DEMO_ACCOUNT.clientId, {
        productId: 'PLESK-12-WEB-HOST',
        features: ['FT-POWER-PACK'],
        server: { ips: [], macs: [] },
      });
      const file = rig.ka.authority.keyFile(main.keyNumber);
      const res = await rig.post(
        `/api/v1/license-requests/${requestId}/uploads`,
        multipart([
          { name: 'keyNumbers', value: file.fullKeyNumber },
          { name: 'files', fileName: `${main.keyNumber}.xml`, content: file.content, contentType: 'text/xml' },
        ]),
      );
      t.is(res.status, 201, JSON.stringify(res.body));
      const installed = await rig.waitForState(requestId, 'installed');
      const license = installed.license as Body;
      t.is(license.keyNumber, main.keyNumber);
      t.is(license.fullKeyNumber, file.fullKeyNumber);
      t.is(license.configurationId, rig.configurationId);
      const tabs = await rig.api.request<{ data: Array<Body & { counts: Record<string, number> }> }>(
        'GET',
        '/api/v1/license-tabs',
      );
      t.is(tabs.body.data.find((tab) => tab.configurationId === rig.configurationId)?.counts.installed, 1);
      const inTab = await rig.api.request<{ data: Body[] }>(
        'GET',
        `/api/v1/licenses?configuration=${rig.configurationId}&status=installed`,
      );
      t.deepEqual(
        inTab.body.data.map((l) => l.keyNumber),
        [main.keyNumber],
      );
    },
  );
}
