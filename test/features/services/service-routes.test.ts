import test from 'ava';
import { ServiceCallbackSigner } from '../../../src/features/services/service-callback-signer.js';
import { SecretBox } from '../../../src/infra/db/secret-box.js';
import { testDialects, useTestDatabase } from '../../helpers/test-database.js';
import { testSecretKey } from '../../helpers/test-env.js';
import { createTokens, insertSubscription, serviceState, startHarness, waitFor } from './service-fixtures.js';

type Body = Record<string, unknown> & { error?: { code: string; details: { fields?: Array<{ field: string }> } } };

for (const dialect of testDialects()) {
  let tokens: Awaited<ReturnType<typeof createTokens>>;
  const database = useTestDatabase(dialect, async (db) => {
    tokens = await createTokens(db);
  });

  async function call(
    baseUrl: string,
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers,
      body: options.body !== undefined ? JSON.stringify(options.body) : options.raw,
    });
    return { status: res.status, body: (await res.json()) as Body };
  }

  test(`${dialect}: staff read a service with its secrets masked; the id must be a positive integer`, async (t) => {
    const h = await startHarness(database.db, { noWorker: true });
    t.teardown(() => h.close());
    const sub = await insertSubscription(database.db, [
      { key: 'panel', provisioner: 'webhook', settings: { url: 'http://127.0.0.1:9/x', installToken: 'secret-token' } },
    ]);
    const id = sub.ids.panel;

    const res = await call(h.baseUrl, 'GET', `/services/${id}`, { token: tokens.viewer });
    t.is(res.status, 200);
    t.like(res.body, {
      id,
      subscriptionId: sub.subscriptionId,
      key: 'panel',
      state: 'pending',
      attempts: 0,
      dependsOn: [],
      lastError: null,
      readyAt: null,
    });
    t.deepEqual(res.body.settings, { url: 'http://127.0.0.1:9/x', installToken: '********' });
    t.regex(String(res.body.createdAt), /^\d{4}-\d\d-\d\dT.*Z$/);

    t.is((await call(h.baseUrl, 'GET', `/services/${id}`)).status, 401);
    t.is((await call(h.baseUrl, 'GET', `/services/${id}`, { token: tokens.store })).status, 403);
    const bad = await call(h.baseUrl, 'GET', '/services/abc', { token: tokens.admin });
    t.is(bad.status, 400);
    t.deepEqual(
      bad.body.error?.details.fields?.map((f) => f.field),
      ['id'],
    );
    t.is((await call(h.baseUrl, 'GET', '/services/0', { token: tokens.admin })).status, 400);
    const missing = await call(h.baseUrl, 'GET', '/services/999999', { token: tokens.admin });
    t.is(missing.status, 404);
    t.is(missing.body.error?.code, 'not_found');
  });

  test(`${dialect}: operators mark a waiting manual service ready over HTTP; viewers may not; a pending one is a conflict`, async (t) => {
    const h = await startHarness(database.db);
    t.teardown(() => h.close());
    const sub = await insertSubscription(database.db, [
      { key: 'mailbox', provisioner: 'manual' },
      { key: 'later', provisioner: 'manual', dependsOn: ['mailbox'] },
    ]);
    await h.feature.service.start(sub.subscriptionId);
    await waitFor(async () => (await serviceState(database.db, sub.ids.mailbox)) === 'waiting', 'the service to wait');

    t.is(
      (await call(h.baseUrl, 'POST', `/services/${sub.ids.mailbox}/mark-ready`, { token: tokens.viewer, body: {} }))
        .status,
      403,
    );
    const pending = await call(h.baseUrl, 'POST', `/services/${sub.ids.later}/mark-ready`, {
      token: tokens.operator,
      body: {},
    });
    t.is(pending.status, 409);
    t.is(pending.body.error?.code, 'service_not_waiting');
    const badNote = await call(h.baseUrl, 'POST', `/services/${sub.ids.mailbox}/mark-ready`, {
      token: tokens.operator,
      body: { note: 42 },
    });
    t.is(badNote.status, 400);

    const ok = await call(h.baseUrl, 'POST', `/services/${sub.ids.mailbox}/mark-ready`, {
      token: tokens.operator,
      body: { note: 'created by hand' },
    });
    t.is(ok.status, 200);
    t.like(ok.body, { id: sub.ids.mailbox, state: 'ready' });
    const event = (await h.audit.history(database.db, 'service', sub.ids.mailbox)).at(-1);
    t.like(event, {
      action: 'service.marked_ready',
      actor: { type: 'api', name: 'operator token' },
      data: { note: 'created by hand' },
    });
    // Its dependent starts now.
    await waitFor(async () => (await serviceState(database.db, sub.ids.later)) === 'waiting', 'the dependent to start');
  });

  test(`${dialect}: operators retry a failed service over HTTP; anything else is a conflict`, async (t) => {
    const h = await startHarness(database.db);
    t.teardown(() => h.close());
    const sub = await insertSubscription(database.db, [{ key: 'vps', provisioner: 'manual' }]);
    const id = sub.ids.vps;
    await database
      .db('services')
      .where({ id })
      .update({
        state: 'failed',
        attempts: 8,
        last_error: JSON.stringify({ message: 'x', code: 'webhook_status', retryable: true }),
      });

    t.is((await call(h.baseUrl, 'POST', `/services/${id}/retry`, { token: tokens.viewer })).status, 403);
    const res = await call(h.baseUrl, 'POST', `/services/${id}/retry`, { token: tokens.admin });
    t.is(res.status, 200);
    t.like(res.body, { state: 'pending', attempts: 0 });
    await waitFor(async () => (await serviceState(database.db, id)) === 'waiting', 'the retried service to run');
    const again = await call(h.baseUrl, 'POST', `/services/${id}/retry`, { token: tokens.operator });
    t.is(again.status, 409);
    t.is(again.body.error?.code, 'service_not_failed');
  });

  test(`${dialect}: the callback route answers 404 for an unknown service, 409 for one not waiting for a callback, 413 when too large`, async (t) => {
    const h = await startHarness(database.db, { noWorker: true });
    t.teardown(() => h.close());
    const signer = new ServiceCallbackSigner(database.db, new SecretBox(Buffer.from(testSecretKey, 'base64')));
    const body = '{}';

    const unknown = await call(h.baseUrl, 'POST', '/services/999998/ready', {
      raw: body,
      headers: { 'X-Keyway-Signature': await signer.sign(999_998, body) },
    });
    t.is(unknown.status, 404);

    const sub = await insertSubscription(database.db, [
      { key: 'hook', provisioner: 'webhook', settings: { url: 'http://127.0.0.1:9/x' } },
      { key: 'hand', provisioner: 'manual' },
    ]);
    const pending = await call(h.baseUrl, 'POST', `/services/${sub.ids.hook}/ready`, {
      raw: body,
      headers: { 'X-Keyway-Signature': await signer.sign(sub.ids.hook, body) },
    });
    t.is(pending.status, 409);
    t.is(pending.body.error?.code, 'service_not_waiting');
    await database.db('services').where({ id: sub.ids.hand }).update({ state: 'waiting' });
    const manual = await call(h.baseUrl, 'POST', `/services/${sub.ids.hand}/ready`, {
      raw: body,
      headers: { 'X-Keyway-Signature': await signer.sign(sub.ids.hand, body) },
    });
    t.is(manual.status, 409);
    t.is(await serviceState(database.db, sub.ids.hand), 'waiting');

    const big = 'x'.repeat(70 * 1024);
    const tooLarge = await call(h.baseUrl, 'POST', `/services/${sub.ids.hook}/ready`, {
      raw: big,
      headers: { 'content-type': 'text/plain', 'X-Keyway-Signature': await signer.sign(sub.ids.hook, big) },
    });
    t.is(tooLarge.status, 413);
    const badId = await call(h.baseUrl, 'POST', '/services/-1/ready', { raw: body });
    t.is(badId.status, 400);
  });
}
