import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi } from '../helpers/test-server.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;

/** A provider's webhook endpoint: accepts every service (202) and keeps what it was sent. */
async function startProvider(): Promise<{ url: string; received: Body[]; close(): Promise<void> }> {
  const received: Body[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      received.push(JSON.parse(raw) as Body);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/provision`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

for (const dialect of testDialects()) {
  test(`${dialect}: a webhook's callback URL names the port Keyway listens on, and a signed call to it readies the service`, async (t) => {
    // PORT=0 and no KEYWAY_PUBLIC_URL: the port is known only once Keyway listens.
    const api = await startTestApi(dialect);
    const provider = await startProvider();
    t.teardown(async () => {
      await provider.close();
      await api.close();
    });
    const plan = await api.request<Body>('POST', '/api/v1/plans', {
      body: {
        code: 'hook',
        name: 'Hook',
        periods: [12],
        services: [{ key: 'mail', kind: 'mail', provisioner: 'webhook', settings: { url: provider.url } }],
        licenseProducts: [],
      },
    });
    t.is(plan.status, 201, JSON.stringify(plan.body));
    const customer = await api.request<Body>('POST', '/api/v1/customers', {
      body: { name: 'C', email: 'c@example.com' },
    });
    const order = await api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference: 'hook-1' },
    });
    await api.request('POST', `/api/v1/orders/${order.body.id}/pay`, { body: { paymentReference: 'p' } });

    const sent = await waitFor(async () => provider.received[0], 'the webhook call');
    const callbackUrl = String(sent.callbackUrl);
    t.true(callbackUrl.startsWith(`${api.url}/api/v1/services/`), callbackUrl);

    const confirmation = Buffer.from(JSON.stringify({ ok: true }));
    const signature = `sha256=${createHmac('sha256', String(sent.callbackSecret)).update(confirmation).digest('hex')}`;
    const answer = await fetch(callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-keyway-signature': signature },
      body: confirmation,
    });
    t.true(answer.ok, String(answer.status));
    const subscription = await api.request<{ services: Body[] }>('GET', `/api/v1/subscriptions/${sent.subscriptionId}`);
    t.is(subscription.body.services[0]?.state, 'ready');
  });
}
