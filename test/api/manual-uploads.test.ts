import test from 'ava';
import { testDialects } from '../helpers/test-database.js';
import {
  type Body,
  fixture,
  freshKeyNumber,
  keyFile,
  type ManualRig,
  multipart,
  startManualRig,
} from '../features/uploads/upload-fixtures.js';

for (const dialect of testDialects()) {
  let rig: ManualRig;
  let waiting: number;

  test.before(async () => {
    rig = await startManualRig(dialect);
    waiting = await rig.needsManual();
  });
  test.after.always(async () => {
    await rig?.close();
  });

  const upload = (
    requestId: number,
    keyNumbers: string[],
    files: Array<{ fileName: string; content: Buffer; contentType?: string; encodeName?: boolean }>,
    extra: Record<string, string> = {},
  ) =>
    rig.post(
      `/api/v1/license-requests/${requestId}/uploads`,
      multipart([
        ...keyNumbers.map((k) => ({ name: 'keyNumbers', value: k })),
        ...Object.entries(extra).map(([name, value]) => ({ name, value })),
        ...files.map((f) => ({ name: 'files', ...f })),
      ]),
    );
  const fieldsOf = (body: Body) => body.error?.details.fields?.map((f) => f.field) ?? [];

  /** Each refusal answers `status`, names `field`, and leaves every table as it was. */
  const refuses = async (
    t: import('ava').ExecutionContext,
    send: () => Promise<{ status: number; body: Body }>,
    status: number,
    field: string | null,
    requestId = waiting,
  ) => {
    const before = await rig.snapshot(requestId);
    const res = await send();
    t.is(res.status, status, JSON.stringify(res.body));
    if (field)
      t.true(fieldsOf(res.body).includes(field), `fields ${fieldsOf(res.body).join(', ')} should name ${field}`);
    t.truthy(res.body.error?.message);
    t.deepEqual(await rig.snapshot(requestId), before);
    return res.body;
  };

  test.serial(`${dialect}: the request waits for staff after the KA refused it`, async (t) => {
    const request = await rig.api.request<Body>('GET', `/api/v1/license-requests/${waiting}`);
    t.is(request.body.state, 'needs_manual');
    t.regex(String(request.body.reason), /refused/);
    const list = await rig.api.request<{ data: Body[] }>(
      'GET',
      `/api/v1/license-requests?state=needs_manual&configurationId=${rig.configurationId}`,
    );
    t.true(list.body.data.some((r) => r.id === waiting && r.reason));
  });

  test.serial(`${dialect}: a file for another key number is refused with the reason`, async (t) => {
    const body = await refuses(
      t,
      () =>
        upload(
          waiting,
          [freshKeyNumber()],
          [{ fileName: 'key.xml', content: keyFile({ keyNumber: freshKeyNumber() }) }],
        ),
      422,
      'files.0',
    );
    t.is(body.error?.code, 'upload_mismatch');
    t.true(body.error?.details.mismatches?.some((m) => m.kind === 'key_number'));
  });

  test.serial(`${dialect}: an expired key file is refused`, async (t) => {
    const body = await refuses(
      t,
      () => upload(waiting, ['PLSK.00009001'], [{ fileName: 'expired.xml', content: fixture('plesk-expired.xml') }]),
      422,
      'files.0',
    );
    t.deepEqual(
      body.error?.details.mismatches?.map((m) => m.kind),
      ['expired'],
    );
    t.regex(String(body.error?.message), /expired on 2020-01-31/);
  });

  test.serial(`${dialect}: a key for another product is refused`, async (t) => {
    const k = freshKeyNumber();
    const body = await refuses(
      t,
      () =>
        upload(
          waiting,
          [k],
          [{ fileName: 'pro.xml', content: keyFile({ keyNumber: k, keyType: 'PLESK-12-WEB-PRO' }) }],
        ),
      422,
      'files',
    );
    t.deepEqual(
      body.error?.details.mismatches?.map((m) => m.kind),
      ['product'],
    );
  });

  test.serial(
    `${dialect}: files of unknown format are refused, XML or not, and a DOCTYPE is never parsed`,
    async (t) => {
      const k = freshKeyNumber();
      for (const file of [
        { fileName: 'config.xml', content: fixture('not-a-key.xml') },
        { fileName: 'xxe.xml', content: fixture('doctype.xml') },
        { fileName: 'blob.bin', content: Buffer.from([0, 1, 2, 3, 250]), contentType: 'application/octet-stream' },
      ]) {
        const body = await refuses(t, () => upload(waiting, [k], [file]), 422, 'files.0');
        t.true(body.error?.details.mismatches?.some((m) => m.kind === 'unknown_format'));
      }
    },
  );

  test.serial(`${dialect}: a file type outside the allowed ones is refused 415`, async (t) => {
    await refuses(
      t,
      () =>
        upload(
          waiting,
          [freshKeyNumber()],
          [{ fileName: 'key.txt', content: Buffer.from('hello'), contentType: 'text/plain' }],
        ),
      415,
      'files.0',
    );
  });

  test.serial(`${dialect}: an oversize file and too many files are refused while streaming`, async (t) => {
    const k = freshKeyNumber();
    const big = Buffer.alloc(1024 * 1024 + 1, 0x41);
    await refuses(
      t,
      () => upload(waiting, [k], [{ fileName: 'big.bin', content: big, contentType: 'application/octet-stream' }]),
      413,
      'files',
    );
    const nine = Array.from({ length: 9 }, (_, i) => ({ fileName: `k${i}.xml`, content: keyFile({ keyNumber: k }) }));
    await refuses(t, () => upload(waiting, [k], nine), 400, 'files');
  });

  test.serial(`${dialect}: file names with path separators or control characters are refused`, async (t) => {
    const k = freshKeyNumber();
    for (const fileName of ['../../etc/key.xml', 'dir\\key.xml', 'tab\tname.xml']) {
      const body = await refuses(
        t,
        () => upload(waiting, [k], [{ fileName, content: keyFile({ keyNumber: k }) }]),
        400,
        'files.0',
      );
      t.is(body.error?.code, 'validation_failed', fileName);
    }
    for (const fileName of ['bad\u0001name.xml', 'nul\u0000.xml', 'a/../b.xml', 'line\nbreak.xml']) {
      await refuses(
        t,
        () => upload(waiting, [k], [{ fileName, content: keyFile({ keyNumber: k }), encodeName: true }]),
        400,
        'files.0',
      );
    }
    // Raw in the header, busboy cannot read the part at all: still refused, naming the files.
    await refuses(
      t,
      () => upload(waiting, [k], [{ fileName: 'bad\u0001name.xml', content: keyFile({ keyNumber: k }) }]),
      400,
      'files',
    );
  });

  test.serial(
    `${dialect}: an empty multipart body, missing key numbers and a non-multipart body are refused`,
    async (t) => {
      await refuses(t, () => rig.post(`/api/v1/license-requests/${waiting}/uploads`, multipart([])), 400, 'files');
      await refuses(
        t,
        () => upload(waiting, [], [{ fileName: 'k.xml', content: keyFile({ keyNumber: freshKeyNumber() }) }]),
        400,
        'keyNumbers',
      );
      await refuses(
        t,
        () =>
          rig.post(`/api/v1/license-requests/${waiting}/uploads`, {
            body: Buffer.from('{"keyNumbers":["PLSK.00000001"]}'),
            contentType: 'application/json',
          }),
        415,
        'body',
      );
    },
  );

  test.serial(`${dialect}: an upload for a request that does not exist is 404, and a bad id 400`, async (t) => {
    const k = freshKeyNumber();
    const file = [{ fileName: 'k.xml', content: keyFile({ keyNumber: k }) }];
    const missing = await refuses(t, () => upload(999_999, [k], file), 404, null);
    t.is(missing.error?.code, 'not_found');
    await refuses(t, () => upload(0, [k], file), 400, 'id');
  });

  test.serial(`${dialect}: a valid upload is stored in one go and the pipeline installs it`, async (t) => {
    const k = freshKeyNumber();
    const res = await upload(waiting, [k], [{ fileName: `${k}.xml`, content: keyFile({ keyNumber: k }) }]);
    t.is(res.status, 201, JSON.stringify(res.body));
    const installed = await rig.waitForState(waiting, 'installed');
    const license = installed.license as Body & { files: Body[] };
    t.is(license.keyNumber, k);
    t.is(license.fullKeyNumber, `${k}.0001`);
    t.is(license.source, 'upload');
    t.is(license.status, 'installed');
    t.is(license.expiresAt, '2099-12-31T00:00:00.000Z');
    t.is(license.files.length, 1);
    t.is(license.files[0]?.contentType, 'application/xml');
    const actions = (installed.history as Body[]).map((e) => e.action);
    t.true(actions.includes('license_request.uploaded'));
    t.true(actions.includes('license_request.installed'));
    const uploaded = (installed.history as Array<Body & { actor: Body }>).find(
      (e) => e.action === 'license_request.uploaded',
    );
    t.is(uploaded?.actor.type, 'api');
  });

  test.serial(`${dialect}: an upload for an installed request is refused 409`, async (t) => {
    const k = freshKeyNumber();
    const before = await rig.snapshot(waiting);
    const res = await upload(waiting, [k], [{ fileName: 'k.xml', content: keyFile({ keyNumber: k }) }]);
    t.is(res.status, 409);
    t.is(res.body.error?.code, 'invalid_state');
    t.deepEqual(await rig.snapshot(waiting), before);
  });

  test.serial(`${dialect}: an override needs a note, and is stored and audited with it`, async (t) => {
    const id = await rig.needsManual();
    await refuses(
      t,
      () =>
        upload(id, ['PLSK.00009001'], [{ fileName: 'expired.xml', content: fixture('plesk-expired.xml') }], {
          override: 'true',
        }),
      400,
      'note',
      id,
    );
    const res = await upload(
      id,
      ['PLSK.00009001'],
      [{ fileName: 'expired.xml', content: fixture('plesk-expired.xml') }],
      { override: 'true', note: 'customer renews at the vendor; install the old key now' },
    );
    t.is(res.status, 201, JSON.stringify(res.body));
    const installed = await rig.waitForState(id, 'installed');
    const override = (installed.history as Body[]).find(
      (e) => e.action === 'license_request.upload_override',
    ) as Body & { data: Body & { mismatches: Body[] } };
    t.is(override.data.note, 'customer renews at the vendor; install the old key now');
    t.is(override.data.mismatches[0]?.kind, 'expired');
  });

  test.serial(`${dialect}: the same key cannot be uploaded for a second request`, async (t) => {
    const id = await rig.needsManual();
    const before = await rig.snapshot(id);
    const res = await upload(
      id,
      ['PLSK.00009001'],
      [{ fileName: 'expired.xml', content: fixture('plesk-expired.xml') }],
      { override: 'true', note: 'again' },
    );
    t.is(res.status, 409);
    t.is(res.body.error?.code, 'key_in_use');
    t.deepEqual(await rig.snapshot(id), before);
  });

  test.serial(`${dialect}: viewers may not upload`, async (t) => {
    const viewer = (
      await rig.api.request<Body>('POST', '/api/v1/api-tokens', { body: { name: 'viewer', role: 'viewer' } })
    ).body.token as string;
    const k = freshKeyNumber();
    const res = await rig.post(
      `/api/v1/license-requests/${waiting}/uploads`,
      multipart([
        { name: 'keyNumbers', value: k },
        { name: 'files', fileName: 'k.xml', content: keyFile({ keyNumber: k }) },
      ]),
      viewer,
    );
    t.is(res.status, 403);
  });
}
