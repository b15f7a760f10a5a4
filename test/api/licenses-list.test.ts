import test from 'ava';
import { systemActor } from '../../src/kernel/actor.js';
import { AuditStore } from '../../src/features/audit/audit-store.js';
import { applyTransition } from '../../src/features/audit/transition.js';
import { LicenseStore } from '../../src/features/licenses/license-store.js';
import { insertKaConfiguration } from '../helpers/catalog-fixtures.js';
import { testDialects } from '../helpers/test-database.js';
import {
  type Body,
  freshKeyNumber,
  keyFile,
  type ManualRig,
  multipart,
  startManualRig,
} from '../features/uploads/upload-fixtures.js';

type Page = { data: Body[]; nextCursor: string | null };

for (const dialect of testDialects()) {
  let rig: ManualRig;
  let otherConfig: number;
  let uploadedLicense: Body & { files: Body[] };

  test.before(async () => {
    rig = await startManualRig(dialect);
    const db = rig.api.running.context.db;
    otherConfig = await insertKaConfiguration(db, 'A Other KA');
    const store = new LicenseStore();
    // 7 licenses in the other tab: statuses, customers, expiries and a hostile product name.
    for (let i = 1; i <= 7; i++) {
      const { id } = await store.insert(db, {
        requestId: null,
        configurationId: otherConfig,
        subscriptionId: null,
        customerId: i <= 3 ? rig.customerId : null,
        keyNumber: `EXT.${String(i).padStart(8, '0')}`,
        product: i === 7 ? '=HYPERLINK("http://evil","x")' : 'EXT-PRODUCT',
        features: [],
        additionalKeyNumbers: [],
        source: 'upload',
        expiresAt: Date.parse(`2030-0${i}-01T00:00:00Z`),
      });
      if (i % 2 === 0)
        await applyTransition(
          db,
          { audit: new AuditStore() },
          store.setStatus(id, ['issued'], 'installed', { installedAt: Date.now() }),
          {
            actor: systemActor,
            action: 'license.installed',
          },
        );
    }
    const k = freshKeyNumber();
    const res = await rig.post(
      '/api/v1/licenses',
      multipart([
        { name: 'configurationId', value: String(rig.configurationId) },
        { name: 'keyNumbers', value: k },
        { name: 'files', fileName: `${k}.xml`, content: keyFile({ keyNumber: k }) },
      ]),
    );
    const requestId = (res.body.request as Body).id as number;
    await rig.waitForState(requestId, 'installed');
    uploadedLicense = (
      await rig.api.request<Body & { license: Body & { files: Body[] } }>(
        'GET',
        `/api/v1/license-requests/${requestId}`,
      )
    ).body.license;
  });
  test.after.always(async () => {
    await rig?.close();
  });

  const get = <T = Body>(path: string) => rig.api.request<T>('GET', path);

  test.serial(`${dialect}: license tabs: one per KA configuration with counts by status`, async (t) => {
    const res = await get<{ data: Array<Body & { counts: Record<string, number> }> }>('/api/v1/license-tabs');
    t.is(res.status, 200);
    t.deepEqual(
      res.body.data.map((tab) => tab.name),
      ['A Other KA', 'Reference KA'],
    );
    const [other, reference] = res.body.data;
    t.is(other?.plugin, 'test-ka');
    t.deepEqual(other?.counts, { issued: 4, files_retrieved: 0, installed: 3, suspended: 0, terminated: 0 });
    t.is(other?.total, 7);
    t.is(reference?.configurationId, rig.configurationId);
    t.is(reference?.plugin, 'parallels-ka');
    t.is(reference?.counts.installed, 1);
  });

  test.serial(
    `${dialect}: the license list filters by configuration, status, customer, key number and expiry`,
    async (t) => {
      const ids = async (query: string) =>
        (await get<Page>(`/api/v1/licenses?${query}`)).body.data.map((l) => l.keyNumber);
      t.is((await ids(`configuration=${otherConfig}`)).length, 7);
      t.deepEqual(await ids(`configuration=${rig.configurationId}`), [uploadedLicense.keyNumber]);
      t.deepEqual(await ids(`configuration=${otherConfig}&status=installed`), [
        'EXT.00000006',
        'EXT.00000004',
        'EXT.00000002',
      ]);
      t.deepEqual(await ids(`configuration=${otherConfig}&customer=${rig.customerId}`), [
        'EXT.00000003',
        'EXT.00000002',
        'EXT.00000001',
      ]);
      t.deepEqual(await ids('keyNumber=EXT.0000000'), [
        'EXT.00000007',
        'EXT.00000006',
        'EXT.00000005',
        'EXT.00000004',
        'EXT.00000003',
        'EXT.00000002',
        'EXT.00000001',
      ]);
      t.deepEqual(await ids('keyNumber=EXT.%25'), []);
      t.deepEqual(await ids(`configuration=${otherConfig}&expiringBefore=2030-03-15`), [
        'EXT.00000003',
        'EXT.00000002',
        'EXT.00000001',
      ]);
      const bad = await get('/api/v1/licenses?status=lost&configuration=x');
      t.is(bad.status, 400);
      t.deepEqual(
        (bad.body.error as Body & { details: { fields: Body[] } }).details.fields.map((f) => f.field).sort(),
        ['configuration', 'status'],
      );
    },
  );

  test.serial(`${dialect}: keyset pages walk the whole tab without repeats`, async (t) => {
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: Page } = await get<Page>(
        `/api/v1/licenses?configuration=${otherConfig}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.body.data.map((l) => l.keyNumber));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    t.is(pages, 3);
    t.is(new Set(seen).size, 7);
    t.is((await get('/api/v1/licenses?cursor=garbage')).status, 400);
  });

  test.serial(`${dialect}: CSV export has the filtered rows, escaped, and defuses formulas`, async (t) => {
    const res = await fetch(`${rig.api.url}/api/v1/licenses?configuration=${otherConfig}&format=csv`, {
      headers: { authorization: `Bearer ${rig.api.adminToken}` },
    });
    t.is(res.status, 200);
    t.regex(res.headers.get('content-type') ?? '', /^text\/csv/);
    t.regex(res.headers.get('content-disposition') ?? '', /attachment; filename="licenses-\d+\.csv"/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    t.is(lines.length, 8);
    t.true(lines[0]?.startsWith('id,configurationId,keyNumber,'));
    t.true(lines[1]?.includes(`"'=HYPERLINK(""http://evil"",""x"")"`), lines[1]);
    const installed = await fetch(
      `${rig.api.url}/api/v1/licenses?configuration=${otherConfig}&status=installed&format=csv`,
      { headers: { authorization: `Bearer ${rig.api.adminToken}` } },
    );
    t.is((await installed.text()).trimEnd().split('\r\n').length, 4);
  });

  test.serial(`${dialect}: license details carry files, request, subscription and history`, async (t) => {
    const res = await get<Body & { files: Body[]; request: Body; history: Body[] }>(
      `/api/v1/licenses/${uploadedLicense.id}`,
    );
    t.is(res.status, 200);
    t.is(res.body.files.length, 1);
    t.is(res.body.request.state, 'installed');
    t.is(res.body.subscription, null);
    t.true(res.body.history.some((e) => e.action === 'license_request.uploaded'));
    t.is((await get('/api/v1/licenses/999999')).status, 404);
  });

  test.serial(
    `${dialect}: a file downloads with its content type and a safe file name, and the download is audited`,
    async (t) => {
      const file = uploadedLicense.files[0] as Body;
      const res = await fetch(`${rig.api.url}/api/v1/licenses/${uploadedLicense.id}/files/${file.id}`, {
        headers: { authorization: `Bearer ${rig.api.adminToken}` },
      });
      t.is(res.status, 200);
      t.is(res.headers.get('content-type'), 'application/xml');
      t.is(
        res.headers.get('content-disposition'),
        `attachment; filename="${file.fileName}"; filename*=UTF-8''${file.fileName}`,
      );
      t.is(res.headers.get('x-content-type-options'), 'nosniff');
      const body = Buffer.from(await res.arrayBuffer());
      t.true(body.toString('utf8').includes(String(uploadedLicense.keyNumber)));
      const audit = await get<Page>(`/api/v1/audit-events?entity=license:${uploadedLicense.id}`);
      t.true(audit.body.data.some((e) => e.action === 'license.file_downloaded'));
      t.is((await get(`/api/v1/licenses/${uploadedLicense.id}/files/999999`)).status, 404);
      const viewer = (
        await rig.api.request<Body>('POST', '/api/v1/api-tokens', { body: { name: 'viewer', role: 'viewer' } })
      ).body.token as string;
      t.is(
        (await rig.api.request('GET', `/api/v1/licenses/${uploadedLicense.id}/files/${file.id}`, { token: viewer }))
          .status,
        403,
      );
      t.is((await rig.api.request('GET', '/api/v1/license-tabs', { token: viewer })).status, 200);
    },
  );
}
