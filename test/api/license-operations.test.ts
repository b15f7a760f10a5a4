import test from 'ava';
import type { KeyRecord } from '../../src/reference-ka/authority-types.js';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig, type TwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
type ErrorBody = { error: { code: string; message: string; details?: Body } };

/** The key as the reference KA holds it now. */
function keyAtKa(rig: TwoProtocolRig, keyNumber: unknown): KeyRecord {
  const key = rig.xmlrpc.authority.listKeys().find((k) => k.keyNumber === keyNumber);
  if (!key) throw new Error(`key ${String(keyNumber)} is not at the KA`);
  return key;
}

/** Each renewal at the KA makes one new revision of the key's file (nothing else changes these keys here). */
function renewalsAtKa(before: KeyRecord, after: KeyRecord): number {
  return Number(after.revision) - Number(before.revision);
}

for (const dialect of testDialects()) {
  let rig: TwoProtocolRig;
  let orders = 0;
  /** A fresh subscription with two installed licenses: the XML-RPC one (renews) and the SOAP one (also suspends). */
  const installedLicenses = async (): Promise<{ plesk: Body; ras: Body }> => {
    const { licenses } = await rig.buyAndWaitInstalled(`ops-${dialect}-${++orders}`);
    return {
      plesk: licenses.find((l) => l.configurationId === rig.xmlConfigurationId) as Body,
      ras: licenses.find((l) => l.configurationId === rig.rasConfigurationId) as Body,
    };
  };
  const installedPleskLicense = async (): Promise<Body> => (await installedLicenses()).plesk;
  const license = async (id: unknown) =>
    (
      await rig.api.request<Body & { history: Body[]; openOperation: Body | null; request: Body }>(
        'GET',
        `/api/v1/licenses/${id}`,
      )
    ).body;
  /** The renewal's reinstall done: the license can be renewed again. */
  const reinstalled = (requestId: unknown) =>
    waitFor(
      async () =>
        (await rig.api.request<Body>('GET', `/api/v1/license-requests/${requestId}`)).body.state === 'installed',
      'the renewed file to be installed',
    );

  test.before(async () => {
    rig = await startTwoProtocolRig(dialect, { planCode: `ops-${dialect}`, ip: '203.0.113.31' });
  });
  test.after.always(async () => {
    await rig?.close();
  });

  test.serial(
    `${dialect}: eight concurrent renewals of one license: one renews at the KA, seven answer 409 at once, none fails`,
    async (t) => {
      const license = await installedPleskLicense();
      const before = keyAtKa(rig, license.keyNumber);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          rig.api.request<Body & ErrorBody>('POST', `/api/v1/licenses/${license.id}/renew`, {
            body: { note: 'renewal campaign' },
          }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      t.deepEqual(
        statuses,
        [200, 409, 409, 409, 409, 409, 409, 409],
        JSON.stringify(answers.map((a) => a.body.error ?? a.body.status)),
      );
      for (const refused of answers.filter((a) => a.status === 409)) {
        t.regex(refused.body.error.message, /renew/, 'the refusal says which action holds the license');
      }
      t.is(renewalsAtKa(before, keyAtKa(rig, license.keyNumber)), 1, 'the KA renewed the key once');
      t.true(keyAtKa(rig, license.keyNumber).expiresAt > before.expiresAt);
      const renewed = answers.find((a) => a.status === 200)?.body as Body;
      t.is(
        // A monthly lease: the key's own expiry (the license's expiresAt is its subscription's).
        Date.parse(String(renewed.keyExpiresAt)) / 1000,
        Math.floor(keyAtKa(rig, license.keyNumber).expiresAt.getTime() / 1000),
        'Keyway records the expiry the KA has (the protocol carries seconds)',
      );
      const history = (await rig.api.request<{ history: Body[] }>('GET', `/api/v1/licenses/${license.id}`)).body
        .history;
      t.is(history.filter((e) => e.action === 'license.renewed').length, 1);
    },
  );

  test.serial(
    `${dialect}: a renewal retried with the same Idempotency-Key answers the first answer and the KA renews once; another request with that key is refused`,
    async (t) => {
      const plesk = await installedPleskLicense();
      const before = keyAtKa(rig, plesk.keyNumber);
      const key = `renew-${dialect}-${plesk.id}`;
      const first = await rig.api.request<Body>('POST', `/api/v1/licenses/${plesk.id}/renew`, {
        body: { note: 'yearly' },
        headers: { 'Idempotency-Key': key },
      });
      t.is(first.status, 200);
      const retried = await rig.api.request<Body>('POST', `/api/v1/licenses/${plesk.id}/renew`, {
        body: { note: 'yearly' },
        headers: { 'Idempotency-Key': key },
      });
      t.is(retried.status, 200);
      t.deepEqual(retried.body, first.body, 'the same body as the first answer');
      t.is(retried.headers.get('idempotent-replayed'), 'true');
      t.is(renewalsAtKa(before, keyAtKa(rig, plesk.keyNumber)), 1, 'the KA renewed once');
      await reinstalled(plesk.requestId);
      // Still the first answer once the license has moved on.
      const later = await rig.api.request<Body>('POST', `/api/v1/licenses/${plesk.id}/renew`, {
        body: { note: 'yearly' },
        headers: { 'Idempotency-Key': key },
      });
      t.deepEqual([later.status, later.body], [200, first.body]);
      t.is(renewalsAtKa(before, keyAtKa(rig, plesk.keyNumber)), 1);

      const otherBody = await rig.api.request<ErrorBody>('POST', `/api/v1/licenses/${plesk.id}/renew`, {
        body: { note: 'another reason' },
        headers: { 'Idempotency-Key': key },
      });
      t.is(otherBody.status, 422);
      t.is(otherBody.body.error.code, 'idempotency_key_reused');
      t.regex(otherBody.body.error.message, /Idempotency-Key/);
      const otherAction = await rig.api.request<ErrorBody>('POST', `/api/v1/licenses/${plesk.id}/terminate`, {
        body: { note: 'yearly' },
        headers: { 'Idempotency-Key': key },
      });
      t.is(otherAction.status, 422);
      t.false(keyAtKa(rig, plesk.keyNumber).terminated);

      const tooLong = await rig.api.request<ErrorBody>('POST', `/api/v1/licenses/${plesk.id}/renew`, {
        headers: { 'Idempotency-Key': 'k'.repeat(201) },
      });
      t.is(tooLong.status, 400);
      t.deepEqual(
        ((tooLong.body.error.details?.fields ?? []) as Body[]).map((f) => f.field),
        ['Idempotency-Key'],
      );
      t.is(renewalsAtKa(before, keyAtKa(rig, plesk.keyNumber)), 1, 'refused requests send nothing');

      // Keys are per caller: another token's request with the same key is its own request.
      const other = await rig.api.request<Body>('POST', '/api/v1/api-tokens', {
        body: { name: `operator-${dialect}`, role: 'operator' },
      });
      const theirs = await rig.api.request<Body>('POST', `/api/v1/licenses/${plesk.id}/renew`, {
        token: String(other.body.token),
        body: { note: 'yearly' },
        headers: { 'Idempotency-Key': key },
      });
      t.is(theirs.status, 200);
      t.is(theirs.headers.get('idempotent-replayed'), null);
      t.is(renewalsAtKa(before, keyAtKa(rig, plesk.keyNumber)), 2);
      await reinstalled(plesk.requestId);
    },
  );

  test.serial(
    `${dialect}: while the first request with an Idempotency-Key is at the KA, its retry answers 409`,
    async (t) => {
      const plesk = await installedPleskLicense();
      const before = keyAtKa(rig, plesk.keyNumber);
      const key = `slow-${dialect}-${plesk.id}`;
      rig.xmlrpc.authority.injectFault('renewKey', { kind: 'latency', ms: 700 }, { times: 1 });
      const first = rig.api.request<Body>('POST', `/api/v1/licenses/${plesk.id}/renew`, {
        headers: { 'Idempotency-Key': key },
      });
      const open = await waitFor(
        async () => (await license(plesk.id)).openOperation ?? undefined,
        'the renewal to be claimed',
      );
      t.like(open, { kind: 'renew', state: 'in_progress', held: true });
      const retried = await rig.api.request<ErrorBody>('POST', `/api/v1/licenses/${plesk.id}/renew`, {
        headers: { 'Idempotency-Key': key },
      });
      t.is(retried.status, 409);
      t.is(retried.body.error.code, 'idempotency_key_in_progress');
      t.regex(retried.body.error.message, /Idempotency-Key/);
      t.is((await first).status, 200);
      t.is(renewalsAtKa(before, keyAtKa(rig, plesk.keyNumber)), 1);
      t.is((await license(plesk.id)).openOperation, null);
      await reinstalled(plesk.requestId);
    },
  );

  test.serial(
    `${dialect}: a renewal that timed out after it was sent stays open; a second renewal reads the key at the KA and does not renew twice`,
    async (t) => {
      const plesk = await installedPleskLicense();
      const before = keyAtKa(rig, plesk.keyNumber);
      // Longer than the configuration's 2 s timeout: the KA renews, Keyway hears nothing.
      rig.xmlrpc.authority.injectFault('renewKey', { kind: 'latency', ms: 2500 }, { times: 1 });
      const lost = await rig.api.request<ErrorBody>('POST', `/api/v1/licenses/${plesk.id}/renew`, {
        body: { note: 'first try' },
      });
      t.is(lost.status, 502);
      t.regex(lost.body.error.message, /may or may not have renewed/);
      t.is(renewalsAtKa(before, keyAtKa(rig, plesk.keyNumber)), 1, 'the KA did renew');
      const unknown = await license(plesk.id);
      t.like(unknown.openOperation, { kind: 'renew', state: 'outcome_unknown', held: false });
      t.is(unknown.keyExpiresAt, plesk.keyExpiresAt, 'nothing recorded yet');

      // Reading the key fails at first: the operation stays open and staff are told what to check.
      rig.xmlrpc.authority.injectFault(
        'getKeyInfo',
        { kind: 'result', code: 500, message: 'KA maintenance' },
        { times: 1 },
      );
      const unclear = await rig.api.request<ErrorBody>('POST', `/api/v1/licenses/${plesk.id}/renew`, {
        body: { note: 'second try' },
      });
      t.is(unclear.status, 409);
      t.is(unclear.body.error.code, 'operation_outcome_unknown');
      t.regex(
        unclear.body.error.message,
        new RegExp(`Check at the KA whether key ${String(plesk.keyNumber).replace('.', '\\.')} now expires later than`),
      );
      t.like((await license(plesk.id)).openOperation, { state: 'outcome_unknown' });

      const second = await rig.api.request<Body>('POST', `/api/v1/licenses/${plesk.id}/renew`, {
        body: { note: 'second try' },
      });
      t.is(second.status, 200);
      t.is(renewalsAtKa(before, keyAtKa(rig, plesk.keyNumber)), 1, 'renewed once in all');
      t.is(
        Date.parse(String(second.body.keyExpiresAt)) / 1000,
        Math.floor(keyAtKa(rig, plesk.keyNumber).expiresAt.getTime() / 1000),
      );
      t.is(second.body.openOperation, null);
      const history = (await license(plesk.id)).history.filter((e) => e.entityType === 'license').map((e) => e.action);
      t.deepEqual(history, ['license.renew_outcome_unknown', 'license.operation_resolved', 'license.renewed']);
      await reinstalled(plesk.requestId);
    },
  );

  test.serial(
    `${dialect}: a claim left by a crashed process is settled by reading the key once its lease is past; the KA had not acted, so the action goes on`,
    async (t) => {
      const plesk = await installedPleskLicense();
      const before = keyAtKa(rig, plesk.keyNumber);
      const db = rig.api.running.context.db;
      const now = Date.now();
      await db('license_operations').insert({
        license_id: plesk.id,
        open_license_id: plesk.id,
        kind: 'renew',
        state: 'in_progress',
        reference: `kw-op-crashed-${dialect}`,
        parameters: '{}',
        before: JSON.stringify({
          status: 'installed',
          expiresAt: plesk.keyExpiresAt,
          updatesUntil: null,
          fullKeyNumber: plesk.fullKeyNumber,
        }),
        attempts: 1,
        actor: JSON.stringify({ type: 'api', name: 'crashed process' }),
        lease_until: now + 60_000,
        created_at: now,
        updated_at: now,
      });
      const held = await rig.api.request<ErrorBody>('POST', `/api/v1/licenses/${plesk.id}/renew`);
      t.is(held.status, 409, 'a live claim holds the license');
      t.is(held.body.error.code, 'operation_in_progress');
      t.regex(held.body.error.message, /renewal of key .* is in progress .* by crashed process/);

      await db('license_operations')
        .where({ open_license_id: plesk.id })
        .update({ lease_until: now - 1 });
      const renewed = await rig.api.request<Body>('POST', `/api/v1/licenses/${plesk.id}/renew`);
      t.is(renewed.status, 200);
      t.is(renewalsAtKa(before, keyAtKa(rig, plesk.keyNumber)), 1);
      const crashed = await db('license_operations')
        .where({ reference: `kw-op-crashed-${dialect}` })
        .first();
      t.like(crashed, { state: 'failed', open_license_id: null });
      t.like(JSON.parse(crashed.result), { applied: false });
      await reinstalled(plesk.requestId);
    },
  );

  test.serial(
    `${dialect}: a suspension whose answer was lost is found done at the KA before the license is resumed`,
    async (t) => {
      const { ras } = await installedLicenses();
      rig.xmlrpc.authority.injectFault('SuspendKey', { kind: 'drop' }, { times: 1 });
      const lost = await rig.api.request<ErrorBody>('POST', `/api/v1/licenses/${ras.id}/suspend`);
      t.is(lost.status, 502);
      t.true(keyAtKa(rig, ras.keyNumber).suspended);
      t.is((await license(ras.id)).status, 'installed');
      const resumed = await rig.api.request<Body>('POST', `/api/v1/licenses/${ras.id}/resume`);
      t.is(resumed.status, 200);
      t.is(resumed.body.status, 'installed');
      t.false(keyAtKa(rig, ras.keyNumber).suspended);
      const history = (await license(ras.id)).history
        .filter((e) => e.entityType === 'license')
        .map((e) => [e.action, e.toState]);
      t.deepEqual(history, [
        ['license.suspend_outcome_unknown', null],
        ['license.operation_resolved', null],
        ['license.suspended', 'suspended'],
        ['license.resumed', 'installed'],
      ]);
    },
  );

  test.serial(
    `${dialect}: staff settle by hand what reading the key cannot tell: a renewal the KA did, and a stale claim the KA never saw`,
    async (t) => {
      const { plesk, ras } = await installedLicenses();
      const before = keyAtKa(rig, plesk.keyNumber);
      rig.xmlrpc.authority.injectFault('renewKey', { kind: 'drop' }, { times: 1 });
      t.is((await rig.api.request('POST', `/api/v1/licenses/${plesk.id}/renew`)).status, 502);
      rig.xmlrpc.authority.injectFault('getKeyInfo', { kind: 'result', code: 500, message: 'KA maintenance' });
      try {
        const refused = await rig.api.request<ErrorBody>('POST', `/api/v1/licenses/${plesk.id}/terminate`);
        t.is(refused.status, 409);
        t.is(refused.body.error.code, 'operation_outcome_unknown');
        const operation = (await license(plesk.id)).openOperation as Body;
        t.regex(refused.body.error.message, new RegExp(`settle operation ${operation.id} by hand`));
        t.false(keyAtKa(rig, plesk.keyNumber).terminated, 'nothing else is sent while the renewal is unknown');

        const settle = (body: Body, operationId = operation.id) =>
          rig.api.request<Body & ErrorBody>('POST', `/api/v1/licenses/${plesk.id}/operations/${operationId}/settle`, {
            body,
          });
        const noExpiry = await settle({ applied: true, note: 'KA portal shows it renewed' });
        t.is(noExpiry.status, 400);
        t.deepEqual(
          ((noExpiry.body.error.details?.fields ?? []) as Body[]).map((f) => f.field),
          ['expiresAt'],
        );
        t.is(
          (await settle({ applied: true, note: 'x', expiresAt: '2031-01-01' }, Number(operation.id) + 1000)).status,
          409,
        );

        const expiresAt = keyAtKa(rig, plesk.keyNumber).expiresAt.toISOString();
        const settled = await settle({ applied: true, note: 'KA portal shows the new expiry', expiresAt });
        t.is(settled.status, 200);
        t.is(settled.body.keyExpiresAt, expiresAt, "the lease key's own expiry");
        t.is(settled.body.openOperation, null);
        t.is(renewalsAtKa(before, keyAtKa(rig, plesk.keyNumber)), 1);
        const events = (await license(plesk.id)).history.filter((e) => e.action === 'license.operation_resolved');
        t.like(events[0]?.data, {
          applied: true,
          how: 'settled_by_hand',
          found: { note: 'KA portal shows the new expiry', expiresAt },
        });
        await reinstalled(plesk.requestId);

        // A claim whose process died before it sent anything: staff find the key untouched.
        const db = rig.api.running.context.db;
        const now = Date.now();
        const [staleId] = await db('license_operations').insert({
          license_id: ras.id,
          open_license_id: ras.id,
          kind: 'suspend',
          state: 'in_progress',
          reference: `kw-op-stale-${dialect}`,
          parameters: '{}',
          attempts: 1,
          actor: '{"type":"api"}',
          lease_until: now - 1,
          created_at: now,
          updated_at: now,
        });
        const notDone = await rig.api.request<Body>('POST', `/api/v1/licenses/${ras.id}/operations/${staleId}/settle`, {
          body: { applied: false, note: 'key is active at the KA' },
        });
        t.is(notDone.status, 200);
        t.is(notDone.body.status, 'installed');
        t.is(notDone.body.openOperation, null);
        t.like(await db('license_operations').where({ id: staleId }).first(), {
          state: 'failed',
          open_license_id: null,
        });
      } finally {
        rig.xmlrpc.authority.clearFaults();
      }
    },
  );
}
