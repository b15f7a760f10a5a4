import test from 'ava';
import { startSmtpServer, startWebhookReceiver } from '../helpers/event-receivers.js';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: a paid order: the endpoint added through the API receives license.installed signed for the stock verifier, the customer gets the mail with key number and activation code`,
    async (t) => {
      let secret = '';
      const receiver = await startWebhookReceiver(() => secret);
      t.teardown(() => receiver.close());
      const smtp = await startSmtpServer();
      t.teardown(() => smtp.close());
      const rig = await startTwoProtocolRig(dialect, {
        planCode: 'events-out',
        ip: '203.0.113.40',
        env: {
          KEYWAY_SMTP_URL: smtp.url,
          KEYWAY_MAIL_FROM: 'Acme Hosting <noc@acme.test>',
          KEYWAY_WEBHOOK_ALLOW_PRIVATE: 'true',
          KEYWAY_DELIVER_EVERY_MS: '100',
        },
      });
      // Teardowns run last-in first-out: Keyway stops before its receivers.
      t.teardown(() => rig.close());
      const { api } = rig;
      const created = await api.request<Body>('POST', '/api/v1/webhook-endpoints', {
        body: { url: receiver.url, eventTypes: ['license.installed', 'order.paid', 'subscription.activated'] },
      });
      t.is(created.status, 201);
      secret = String(created.body.secret);
      t.regex(secret, /^whsec_/);
      const endpointId = created.body.id as number;

      // The customer (the rig's only one) adds a recipient of its mails.
      const recipients = await api.request<Body>('POST', '/api/v1/customers/1/mail-recipients', {
        body: { emails: ['billing@acme.test'] },
      });
      t.deepEqual(recipients.body, { customerId: 1, emails: ['billing@acme.test'] });

      const { licenses } = await rig.buyAndWaitInstalled('events-1');
      await waitFor(
        async () => receiver.received.length >= 4,
        'order.paid, subscription.activated and two license.installed',
      );
      t.is(receiver.refused.length, 0);
      const installed = receiver.received.filter((e) => e.type === 'license.installed');
      t.deepEqual(installed.map((e) => e.data.keyNumber).sort(), licenses.map((l) => l.keyNumber).sort());
      const one = installed[0]?.data as Body & { customer: Body; subscription: Body; configuration: Body };
      t.truthy(one.product);
      t.truthy(one.expiresAt);
      t.truthy(one.customer.email);
      t.truthy(one.subscription.id);
      t.truthy(one.configuration.name);
      t.is(receiver.received[0]?.type, 'order.paid');
      // The order's snapshot: the order paid, its customer and the subscription it made.
      const paid = receiver.received[0]?.data as Body & { customer: Body; subscription: Body };
      t.is(paid.state, 'paid');
      t.truthy(paid.paidAt);
      t.is(paid.customer.id, one.customer.id);
      t.truthy(paid.customer.email);
      t.is(paid.subscription.id, one.subscription.id);
      t.is(paid.subscription.orderId, paid.orderId);
      t.is(paid.subscription.state, 'active');
      // Recorded in the payment's transaction, after the order.
      const activated = receiver.received.find((e) => e.type === 'subscription.activated')?.data as Body & {
        customer: Body;
        subscription: Body;
        licenseRequests: Body[];
      };
      t.is(activated.subscriptionId, paid.subscription.id);
      t.is(activated.customer.email, paid.customer.email);
      t.is(activated.subscription.state, 'active');
      t.is(activated.licenseRequests.length, licenses.length);

      await waitFor(async () => smtp.received.length >= 2, 'the license installed mails');
      const mails = smtp.received.filter((m) => /is installed/.test(m.parsed.subject ?? ''));
      t.is(mails.length, 2);
      for (const license of licenses) {
        const mail = mails.find((m) => m.parsed.text?.includes(String(license.keyNumber)));
        t.truthy(mail, `a mail names key ${license.keyNumber}`);
        t.is(mail?.parsed.attachments.length, 0, 'no license file unless configured');
        t.deepEqual(mail?.envelopeTo.sort(), ['billing@acme.test', 'events-out@example.com']);
        const code = String(license.productKey ?? license.fullKeyNumber);
        t.true((mail?.parsed.text ?? '').includes(`Activation code: ${code}`), `activation code ${code}`);
      }

      // The secret is write-only: masked on every read, kept when the mask is sent back.
      const read = await api.request<Body>('GET', `/api/v1/webhook-endpoints/${endpointId}`);
      t.is(read.body.secret, '********');
      const patched = await api.request<Body>('PATCH', `/api/v1/webhook-endpoints/${endpointId}`, {
        body: { secret: '********', description: 'store' },
      });
      t.like(patched.body, { description: 'store', secret: '********' });
      const test = await api.request<Body>('POST', `/api/v1/webhook-endpoints/${endpointId}/test`);
      t.is(test.status, 201);
      await waitFor(async () => receiver.received.some((e) => e.type === 'webhook_endpoint.test'), 'the test event');

      const deliveries = await api.request<{ data: Array<Body & { attemptLog: Body[] }> }>(
        'GET',
        `/api/v1/webhook-endpoints/${endpointId}/deliveries`,
      );
      t.true(deliveries.body.data.length >= 5);
      t.like(deliveries.body.data.at(-1)?.attemptLog[0], { statusCode: 200, responseExcerpt: 'thanks' });
      const replay = await api.request<Body>(
        'POST',
        `/api/v1/webhook-endpoints/${endpointId}/deliveries/${deliveries.body.data.at(-1)?.id}/replay`,
      );
      t.is(replay.status, 201);
      await waitFor(async () => receiver.received.length >= 6, 'the replayed event');
      const since = await api.request<Body>('POST', `/api/v1/webhook-endpoints/${endpointId}/replay`, {
        body: { since: new Date(Date.now() - 60_000).toISOString() },
      });
      // order.paid, subscription.activated and the two license.installed of the last minute.
      t.is(since.body.deliveries, 4);

      const events = await api.request<{ data: Body[] }>(
        'GET',
        `/api/v1/events?type=license.installed&entity=license:${licenses[0]?.id}`,
      );
      t.is(events.body.data.length, 1);
      t.like(events.body.data[0], {
        type: 'license.installed',
        entity: { type: 'license', id: String(licenses[0]?.id) },
      });

      const log = await api.request<{ data: Body[] }>('GET', '/api/v1/mail?event=license.installed');
      t.is(log.body.data.length, 2);
      t.like(log.body.data[0], { state: 'sent' });
      t.is(log.body.data[0]?.variables, undefined);
      const mailTest = await api.request<Body>('POST', '/api/v1/mail/test', { body: { to: 'ops@acme.test' } });
      t.like(mailTest.body, { state: 'sent', verified: true });
      const bad = await api.request<{ error: Body }>('POST', '/api/v1/mail/test', { body: { to: 'not an address' } });
      t.is(bad.status, 400);

      const everything = JSON.stringify([
        (await api.request('GET', '/api/v1/webhook-endpoints')).body,
        deliveries.body,
        (await api.request('GET', '/api/v1/audit-events?entity=webhook_endpoint')).body,
      ]);
      t.false(everything.includes(secret.slice('whsec_'.length)));
    },
  );
}

test('webhook endpoints are for admins; bad URLs and unknown event types are refused naming the field', async (t) => {
  const rig = await startTwoProtocolRig('sqlite', { planCode: 'events-auth', ip: '203.0.113.41' });
  t.teardown(() => rig.close());
  const { api } = rig;
  const bad = await api.request<{ error: Body }>('POST', '/api/v1/webhook-endpoints', {
    body: { url: 'ftp://example.test/x', eventTypes: ['*'] },
  });
  t.is(bad.status, 400);
  t.regex(String(bad.body.error.message), /url/);
  const unknown = await api.request<{ error: Body }>('POST', '/api/v1/webhook-endpoints', {
    body: { url: 'https://example.test/hooks', eventTypes: ['license.exploded'] },
  });
  t.is(unknown.status, 400);
  t.regex(String(unknown.body.error.message), /eventTypes/);
  const token = await api.request<Body>('POST', '/api/v1/api-tokens', { body: { name: 'viewer', role: 'viewer' } });
  const asViewer = await api.request('GET', '/api/v1/webhook-endpoints', { token: String(token.body.token) });
  t.is(asViewer.status, 403);
});
