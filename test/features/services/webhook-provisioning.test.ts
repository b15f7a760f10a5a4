import { createHmac } from 'node:crypto';
import test from 'ava';
import { testDialects, useTestDatabase } from '../../helpers/test-database.js';
import {
  insertSubscription,
  queueIdle,
  serviceState,
  serviceTransitions,
  startHarness,
  startWebhookServer,
  waitFor,
} from './service-fixtures.js';

const operator = { type: 'staff' as const, id: 'staff:3', name: 'Otto Operator' };

const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** What the provider does on a signed confirmation: POST the callback URL it was given. */
async function confirm(
  callbackUrl: string,
  body: string,
  signature?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature) headers['X-Keyway-Signature'] = signature;
  const res = await fetch(callbackUrl, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

for (const dialect of testDialects()) {
  const database = useTestDatabase(dialect);

  test(`${dialect}: a webhook answering 200 makes the service ready; it gets the service without secrets, signed`, async (t) => {
    const provider = await startWebhookServer(() => 200);
    const h = await startHarness(database.db);
    t.teardown(async () => {
      await h.close();
      await provider.close();
    });
    const sub = await insertSubscription(database.db, [
      {
        key: 'panel',
        kind: 'plesk',
        provisioner: 'webhook',
        settings: { url: provider.url, region: 'eu', token: 'provider-token', nested: { password: 'pw', size: 10 } },
      },
    ]);
    const id = sub.ids.panel as number;
    await h.feature.service.start(sub.subscriptionId);
    await waitFor(async () => h.releases.length === 1, 'the release');

    t.is(await serviceState(database.db, id), 'ready');
    t.is(provider.received.length, 1);
    const request = provider.received[0];
    const payload = request?.json ?? {};
    t.like(payload, {
      serviceId: id,
      subscriptionId: sub.subscriptionId,
      key: 'panel',
      kind: 'plesk',
      callbackUrl: `${h.baseUrl}/api/v1/services/${id}/ready`,
    });
    t.deepEqual(payload.settings, { url: provider.url, region: 'eu', nested: { size: 10 } });
    t.regex(String(payload.callbackSecret), /^[0-9a-f]{64}$/);
    t.is(request?.headers.authorization, 'Bearer provider-token');
    t.is(request?.headers['x-keyway-signature'], sign(String(payload.callbackSecret), request?.body ?? ''));
    t.deepEqual(await serviceTransitions(h.audit, database.db, id), [
      'service.provisioning:pending>provisioning',
      'service.ready:provisioning>ready',
    ]);
  });

  test(`${dialect}: a webhook answering 202 waits for the signed callback, which makes it ready without a bearer token`, async (t) => {
    const provider = await startWebhookServer(() => 202);
    const h = await startHarness(database.db);
    t.teardown(async () => {
      await h.close();
      await provider.close();
    });
    const sub = await insertSubscription(database.db, [
      { key: 'mail', provisioner: 'webhook', settings: { url: provider.url } },
    ]);
    const id = sub.ids.mail as number;
    await h.feature.service.start(sub.subscriptionId);
    await waitFor(async () => (await serviceState(database.db, id)) === 'waiting', 'the service to wait');
    t.deepEqual(h.releases, []);

    const { callbackUrl, callbackSecret } = (provider.received[0]?.json ?? {}) as {
      callbackUrl: string;
      callbackSecret: string;
    };
    const body = JSON.stringify({ status: 'ready', mailbox: 'grace@example.com' });
    const first = await confirm(callbackUrl, body, sign(callbackSecret, body));
    t.is(first.status, 200);
    t.deepEqual(first.body, { id, state: 'ready', changed: true });
    t.is(await serviceState(database.db, id), 'ready');
    await waitFor(async () => h.releases.length === 1, 'the release');

    const again = await confirm(callbackUrl, body, sign(callbackSecret, body));
    t.is(again.status, 200);
    t.deepEqual(again.body, { id, state: 'ready', changed: false });
    t.deepEqual(await serviceTransitions(h.audit, database.db, id), [
      'service.provisioning:pending>provisioning',
      'service.waiting:provisioning>waiting',
      'service.confirmed:waiting>ready',
    ]);
    const confirmed = (await h.audit.history(database.db, 'service', id)).at(-1);
    t.like(confirmed?.actor, { type: 'api', name: 'service callback' });
    await waitFor(() => queueIdle(h.queue), 'the queue to drain');
    t.deepEqual(h.releases, [sub.subscriptionId]);
  });

  test(`${dialect}: a callback with a wrong or missing signature is refused with 401 and changes nothing`, async (t) => {
    const provider = await startWebhookServer(() => 202);
    const h = await startHarness(database.db);
    t.teardown(async () => {
      await h.close();
      await provider.close();
    });
    const sub = await insertSubscription(database.db, [
      { key: 'a', provisioner: 'webhook', settings: { url: provider.url } },
      { key: 'b', provisioner: 'webhook', settings: { url: provider.url } },
    ]);
    const id = sub.ids.a as number;
    await h.feature.service.start(sub.subscriptionId);
    await waitFor(
      async () => provider.received.length === 2 && (await serviceState(database.db, id)) === 'waiting',
      'both services to wait',
    );
    const mine = (provider.received.find((r) => r.json.serviceId === id)?.json ?? {}) as {
      callbackUrl: string;
      callbackSecret: string;
    };
    const other = (provider.received.find((r) => r.json.serviceId !== id)?.json ?? {}) as { callbackSecret: string };
    const before = await serviceTransitions(h.audit, database.db, id);
    const body = '{"status":"ready"}';

    for (const signature of [
      undefined,
      'sha256=00',
      sign('not-the-secret', body),
      sign(other.callbackSecret, body),
      sign(mine.callbackSecret, `${body} `),
    ]) {
      const res = await confirm(mine.callbackUrl, body, signature);
      t.is(res.status, 401, `signature ${signature}`);
      t.like(res.body, { error: { code: 'unauthorized' } });
    }
    t.is(await serviceState(database.db, id), 'waiting');
    t.deepEqual(await serviceTransitions(h.audit, database.db, id), before);
    t.deepEqual(h.releases, []);
  });

  test(`${dialect}: a webhook answering 500 is retried with growing delays, then fails after the budget; an operator retries it`, async (t) => {
    let healthy = false;
    const times: number[] = [];
    const provider = await startWebhookServer(() => {
      times.push(Date.now());
      return healthy ? 200 : 500;
    });
    const h = await startHarness(database.db, {
      retry: { maxAttempts: 3, initialDelayMs: 40, maxDelayMs: 1000, jitter: 0 },
    });
    t.teardown(async () => {
      await h.close();
      await provider.close();
    });
    const sub = await insertSubscription(database.db, [
      { key: 'dns', provisioner: 'webhook', settings: { url: provider.url } },
    ]);
    const id = sub.ids.dns as number;
    await h.feature.service.start(sub.subscriptionId);
    await waitFor(async () => (await serviceState(database.db, id)) === 'failed', 'the service to fail');

    t.is(provider.received.length, 3);
    const [t1 = 0, t2 = 0, t3 = 0] = times;
    t.true(t2 - t1 >= 40, `first delay ${t2 - t1} ms`);
    t.true(t3 - t2 >= 80, `second delay ${t3 - t2} ms`);
    const failed = await h.feature.service.get(id);
    t.like(failed, {
      attempts: 3,
      nextAttemptAt: null,
      lastError: { code: 'webhook_status', status: 500, retryable: true, attempt: 3 },
    });
    t.deepEqual(await serviceTransitions(h.audit, database.db, id), [
      'service.provisioning:pending>provisioning',
      'service.retry_scheduled:provisioning>pending',
      'service.provisioning:pending>provisioning',
      'service.retry_scheduled:provisioning>pending',
      'service.provisioning:pending>provisioning',
      'service.failed:provisioning>failed',
    ]);
    const failedEvent = (await h.audit.history(database.db, 'service', id)).at(-1);
    t.like(failedEvent?.error, { code: 'webhook_status', status: 500 });
    await waitFor(() => queueIdle(h.queue), 'the queue to drain');
    t.deepEqual(h.releases, []);

    healthy = true;
    const retried = await h.feature.service.retry(id, operator);
    t.like(retried, { state: 'pending', attempts: 0 });
    await waitFor(async () => (await serviceState(database.db, id)) === 'ready', 'the retried service');
    await waitFor(async () => h.releases.length === 1, 'the release');
    const history = await h.audit.history(database.db, 'service', id);
    t.like(history[6], { action: 'service.retried', fromState: 'failed', toState: 'pending', actor: operator });
    t.is((await h.feature.service.get(id)).lastError, null);
  });

  test(`${dialect}: a provider's signed confirmation is accepted while a retry is due after a call whose answer was lost`, async (t) => {
    const provider = await startWebhookServer(() => 500);
    // A long delay keeps the service pending (retry due) while the provider confirms.
    const h = await startHarness(database.db, {
      retry: { maxAttempts: 3, initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 },
    });
    t.teardown(async () => {
      await h.close();
      await provider.close();
    });
    const sub = await insertSubscription(database.db, [
      { key: 'mail', provisioner: 'webhook', settings: { url: provider.url } },
    ]);
    const id = sub.ids.mail as number;
    await h.feature.service.start(sub.subscriptionId);
    await waitFor(
      async () =>
        (await h.feature.service.get(id)).attempts === 1 && (await serviceState(database.db, id)) === 'pending',
      'the retry to be due',
    );
    const { callbackUrl, callbackSecret } = (provider.received[0]?.json ?? {}) as {
      callbackUrl: string;
      callbackSecret: string;
    };
    const body = JSON.stringify({ ok: true });
    const answer = await confirm(callbackUrl, body, sign(callbackSecret, body));
    t.is(answer.status, 200, JSON.stringify(answer.body));
    t.is(await serviceState(database.db, id), 'ready');
    await waitFor(async () => h.releases.length === 1, 'the release');
  });

  test(`${dialect}: an unreachable or slow webhook counts as a retryable failure`, async (t) => {
    const slow = await startWebhookServer(() => new Promise<number>((resolve) => setTimeout(() => resolve(200), 1000)));
    const gone = await startWebhookServer(() => 200);
    await gone.close();
    const h = await startHarness(database.db, { retry: { maxAttempts: 1 }, webhookTimeoutMs: 100 });
    t.teardown(async () => {
      await h.close();
      await slow.close();
    });
    const sub = await insertSubscription(database.db, [
      { key: 'slow', provisioner: 'webhook', settings: { url: slow.url } },
      { key: 'gone', provisioner: 'webhook', settings: { url: gone.url } },
      { key: 'nourl', provisioner: 'webhook', settings: {} },
    ]);
    await h.feature.service.start(sub.subscriptionId);
    for (const key of ['slow', 'gone', 'nourl'] as const) {
      await waitFor(async () => (await serviceState(database.db, sub.ids[key])) === 'failed', `${key} to fail`);
    }
    t.like((await h.feature.service.get(sub.ids.slow as number)).lastError, {
      code: 'webhook_timeout',
      retryable: true,
    });
    t.like((await h.feature.service.get(sub.ids.gone as number)).lastError, {
      code: 'webhook_unreachable',
      retryable: true,
    });
    t.like((await h.feature.service.get(sub.ids.nourl as number)).lastError, {
      code: 'webhook_misconfigured',
      retryable: false,
    });
  });
}
