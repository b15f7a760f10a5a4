import test from 'ava';
import { testDialects } from '../helpers/test-database.js';
import {
  type Body,
  freshKeyNumber,
  keyFile,
  type ManualRig,
  multipart,
  startManualRig,
} from '../features/uploads/upload-fixtures.js';

type Event = Body & { action: string; toState: string | null; data: Body | null; actor: Body };

for (const dialect of testDialects()) {
  let rig: ManualRig;

  test.before(async () => {
    rig = await startManualRig(dialect);
  });
  test.after.always(async () => {
    await rig?.close();
  });

  const db = () => rig.api.running.context.db;
  const history = async (id: number) =>
    (await rig.api.request<{ history: Event[] }>('GET', `/api/v1/license-requests/${id}`)).body.history;
  const post = (path: string, body?: unknown) => rig.api.request<Body>('POST', path, { body: body ?? {} });
  const uploadValid = async (id: number) => {
    const k = freshKeyNumber();
    const res = await rig.post(
      `/api/v1/license-requests/${id}/uploads`,
      multipart([
        { name: 'keyNumbers', value: k },
        { name: 'files', fileName: `${k}.xml`, content: keyFile({ keyNumber: k }) },
      ]),
    );
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return k;
  };
  /** An installed request whose install "failed": back with staff, license and files kept. */
  const installFailed = async () => {
    const id = await rig.needsManual();
    await uploadValid(id);
    await rig.waitForState(id, 'installed');
    await db()('license_requests')
      .where({ id })
      .update({ state: 'needs_manual', reason: 'install: the target refused' });
    await db()('licenses').where({ request_id: id }).update({ status: 'files_retrieved', installed_at: null });
    return id;
  };
  const withKaWorking = async <T>(run: () => Promise<T>): Promise<T> => {
    rig.ka.authority.clearFaults();
    try {
      return await run();
    } finally {
      rig.ka.authority.injectFault('createKey', { kind: 'result', code: 244, message: 'Feature is not applicable' });
    }
  };

  test.serial(
    `${dialect}: retry online after a sent request resumes at issuing, so the key is looked up first; attempts reset`,
    async (t) => {
      const id = await rig.needsManual();
      await db()('license_requests').where({ id }).update({ attempts: 5, issue_sent_at: Date.now() }); // as after a timeout: sent, outcome unknown
      const res = await post(`/api/v1/license-requests/${id}/retry`);
      t.is(res.status, 200, JSON.stringify(res.body));
      const retried = (await history(id)).find((e) => e.action === 'license_request.retried');
      t.is(retried?.toState, 'issuing');
      t.is(retried?.actor.type, 'api');
      const again = await post(`/api/v1/license-requests/${id}/retry`);
      t.true(again.status === 409 || again.status === 200);
    },
  );

  test.serial(`${dialect}: retry online of a request never sent starts at ready and ends installed`, async (t) => {
    const id = await rig.needsManual();
    await db()('license_requests').where({ id }).update({ issue_sent_at: null, attempts: 3 });
    await withKaWorking(async () => {
      const res = await post(`/api/v1/license-requests/${id}/retry`);
      t.is(res.status, 200);
      t.is((res.body.request as Body).attempts, 0);
      const installed = await rig.waitForState(id, 'installed');
      t.regex(String((installed.license as Body).keyNumber), /^PLSK\.\d{8}$/);
    });
    t.is((await history(id)).find((e) => e.action === 'license_request.retried')?.toState, 'ready');
  });

  test.serial(`${dialect}: retry online with a license resumes at the files or the install`, async (t) => {
    const id = await installFailed();
    await post(`/api/v1/license-requests/${id}/retry`);
    t.is((await history(id)).filter((e) => e.action === 'license_request.retried').at(-1)?.toState, 'files_retrieved');
    await rig.waitForState(id, 'installed');
    const noFiles = await installFailed();
    const license = await db()('licenses').where({ request_id: noFiles }).first();
    await db()('license_files').where({ license_id: license.id }).delete();
    await post(`/api/v1/license-requests/${noFiles}/retry`);
    t.is((await history(noFiles)).filter((e) => e.action === 'license_request.retried').at(-1)?.toState, 'key_issued');
  });

  test.serial(`${dialect}: retry is refused for a request that does not wait for staff`, async (t) => {
    const id = await installFailed();
    await post(`/api/v1/license-requests/${id}/install`, { mode: 'confirm', note: 'done by hand' });
    const res = await post(`/api/v1/license-requests/${id}/retry`);
    t.is(res.status, 409);
    t.is(res.body.error?.code, 'invalid_state');
    t.is((await post('/api/v1/license-requests/999999/retry')).status, 404);
  });

  test.serial(`${dialect}: install confirm records who installed it by hand, with the note`, async (t) => {
    const id = await installFailed();
    const noNote = await post(`/api/v1/license-requests/${id}/install`, { mode: 'confirm' });
    t.is(noNote.status, 400);
    t.deepEqual(
      noNote.body.error?.details.fields?.map((f) => f.field),
      ['note'],
    );
    const badMode = await post(`/api/v1/license-requests/${id}/install`, { mode: 'sideways' });
    t.is(badMode.status, 400);
    const res = await post(`/api/v1/license-requests/${id}/install`, { mode: 'confirm', note: 'installed over SSH' });
    t.is(res.status, 200);
    t.is((res.body.request as Body).state, 'installed');
    t.is((res.body.license as Body).status, 'installed');
    t.truthy((res.body.license as Body).installedAt);
    const confirmed = (await history(id)).find((e) => e.action === 'license_request.install_confirmed');
    t.is(confirmed?.data?.note, 'installed over SSH');
    t.is(confirmed?.actor.type, 'api');
    t.truthy(confirmed?.at);
  });

  test.serial(`${dialect}: install retry runs the pipeline's install step again`, async (t) => {
    const id = await installFailed();
    const res = await post(`/api/v1/license-requests/${id}/install`, { mode: 'retry' });
    t.is(res.status, 200);
    await rig.waitForState(id, 'installed');
    const actions = (await history(id)).map((e) => e.action);
    t.true(actions.includes('license_request.install_retried'));
    t.is(actions.filter((a) => a === 'license_request.installed').length, 2);
  });

  test.serial(`${dialect}: install without a license is refused 409`, async (t) => {
    const id = await rig.needsManual();
    const res = await post(`/api/v1/license-requests/${id}/install`, { mode: 'retry' });
    t.is(res.status, 409);
    t.is(res.body.error?.code, 'no_license');
  });

  test.serial(`${dialect}: cancel works until a key is issued, and is audited`, async (t) => {
    const id = await rig.needsManual();
    const res = await post(`/api/v1/license-requests/${id}/cancel`, { note: 'customer changed their mind' });
    t.is(res.status, 200);
    t.is((res.body.request as Body).state, 'cancelled');
    const event = (await history(id)).find((e) => e.action === 'license_request.cancelled');
    t.is(event?.data?.note, 'customer changed their mind');
    t.is((await post(`/api/v1/license-requests/${id}/cancel`)).status, 409);
    const withKey = await installFailed();
    const refused = await post(`/api/v1/license-requests/${withKey}/cancel`);
    t.is(refused.status, 409);
    t.is(refused.body.error?.code, 'key_issued');
    t.is((await db()('license_requests').where({ id: withKey }).first()).state, 'needs_manual');
  });

  test.serial(`${dialect}: New License online: a request outside an order goes through the pipeline`, async (t) => {
    const bad = await post('/api/v1/licenses', {
      mode: 'request',
      configurationId: 9999,
      product: 'PLESK-12-WEB-HOST',
    });
    t.is(bad.status, 400);
    t.deepEqual(
      bad.body.error?.details.fields?.map((f) => f.field),
      ['configurationId'],
    );
    const badSub = await post('/api/v1/licenses', {
      mode: 'request',
      configurationId: rig.configurationId,
      product: 'PLESK-12-WEB-HOST',
      subscriptionId: 9999,
    });
    t.deepEqual(
      badSub.body.error?.details.fields?.map((f) => f.field),
      ['subscriptionId'],
    );
    await withKaWorking(async () => {
      const res = await post('/api/v1/licenses', {
        mode: 'request',
        configurationId: rig.configurationId,
        product: 'PLESK-12-WEB-HOST',
        features: ['FT-POWER-PACK'],
      });
      t.is(res.status, 201, JSON.stringify(res.body));
      const request = res.body.request as Body;
      t.is(request.source, 'manual');
      t.is(request.subscriptionId, null);
      const installed = await rig.waitForState(request.id as number, 'installed');
      t.is((installed.license as Body).source, 'online');
    });
  });

  test.serial(`${dialect}: New License from files, standalone or attached to a subscription`, async (t) => {
    const k = freshKeyNumber();
    const missing = await rig.post(
      '/api/v1/licenses',
      multipart([
        { name: 'keyNumbers', value: k },
        { name: 'files', fileName: 'k.xml', content: keyFile({ keyNumber: k }) },
      ]),
    );
    t.is(missing.status, 400);
    t.deepEqual(
      missing.body.error?.details.fields?.map((f) => f.field),
      ['configurationId'],
    );
    const standalone = await rig.post(
      '/api/v1/licenses',
      multipart([
        { name: 'configurationId', value: String(rig.configurationId) },
        { name: 'keyNumbers', value: k },
        { name: 'files', fileName: `${k}.xml`, content: keyFile({ keyNumber: k }) },
      ]),
    );
    t.is(standalone.status, 201, JSON.stringify(standalone.body));
    const request = standalone.body.request as Body;
    t.is(request.product, 'PLESK-12-WEB-HOST');
    const installed = await rig.waitForState(request.id as number, 'installed');
    t.is((installed.license as Body).subscriptionId, null);
    t.is((installed.license as Body).source, 'upload');

    const subscriptionId = (await db()('subscriptions').first()).id as number;
    const k2 = freshKeyNumber();
    const attached = await rig.post(
      '/api/v1/licenses',
      multipart([
        { name: 'configurationId', value: String(rig.configurationId) },
        { name: 'subscriptionId', value: String(subscriptionId) },
        { name: 'keyNumbers', value: k2 },
        { name: 'files', fileName: `${k2}.xml`, content: keyFile({ keyNumber: k2 }) },
      ]),
    );
    t.is(attached.status, 201);
    const done = await rig.waitForState((attached.body.request as Body).id as number, 'installed');
    t.is((done.license as Body).subscriptionId, subscriptionId);
    t.is((done.license as Body).customerId, rig.customerId);

    const before = await rig.snapshot();
    const expired = await rig.post(
      '/api/v1/licenses',
      multipart([
        { name: 'configurationId', value: String(rig.configurationId) },
        { name: 'keyNumbers', value: 'PLSK.00004444' },
        { name: 'files', fileName: 'old.xml', content: keyFile({ keyNumber: 'PLSK.00004444', expires: '2021-01-01' }) },
      ]),
    );
    t.is(expired.status, 422);
    t.deepEqual(await rig.snapshot(), before);
  });
}
