import test from 'ava';
import { recordEvent } from '../../../src/features/events/record-event.js';
import { signedHeaders } from '../../../src/features/webhooks/webhook-delivery-worker.js';
import { transaction } from '../../../src/infra/db/transaction.js';
import { insertKaConfiguration } from '../../helpers/catalog-fixtures.js';
import { startWebhookReceiver } from '../../helpers/event-receivers.js';
import { createTestDatabase, testDialects } from '../../helpers/test-database.js';
import { waitFor } from '../../helpers/wait-for.js';
import { eventsFeature, tick } from './events-fixture.js';

const admin = { type: 'staff' as const, id: '1', name: 'admin' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A database, an endpoint on a verifying receiver, and the feature; all closed after the test. */
async function rig(t: import('ava').ExecutionContext, dialect: 'sqlite' | 'mysql', allowPrivate = true) {
  const database = await createTestDatabase(dialect);
  let secret = '';
  const receiver = await startWebhookReceiver(() => secret);
  const feature = eventsFeature(database.db, { allowPrivate });
  t.teardown(async () => {
    await feature.close();
    await receiver.close();
    await database.drop();
  });
  const made = await feature.webhooks.service.create({ url: receiver.url, eventTypes: ['*'] }, admin);
  secret = made.secret as string;
  return { db: database.db, receiver, feature, endpoint: made.endpoint, secret };
}

for (const dialect of testDialects()) {
  test(`${dialect}: a rolled-back change sends nothing; a committed one arrives signed so the stock verifier accepts it`, async (t) => {
    const { db, receiver, feature, endpoint, secret } = await rig(t, dialect);
    const configurationId = await insertKaConfiguration(db, 'Plesk keys');
    await t.throwsAsync(
      transaction(db, async (tx) => {
        await recordEvent(tx, { type: 'ka_configuration.failing', entityId: configurationId, data: { cause: 'test' } });
        throw new Error('the change failed');
      }),
    );
    await tick(feature);
    t.is(receiver.received.length + receiver.refused.length, 0);
    t.is((await db('outbox_events').count({ n: '*' }).first())?.n, 0);

    const event = await transaction(db, (tx) =>
      recordEvent(tx, { type: 'ka_configuration.failing', entityId: configurationId, data: { cause: 'test' } }),
    );
    await tick(feature);
    t.is(receiver.refused.length, 0);
    t.is(receiver.received.length, 1);
    const got = receiver.received[0];
    t.like(got, { id: event.id, type: 'ka_configuration.failing', entity: { type: 'ka_configuration' } });
    t.is(got?.headers['webhook-id'], event.id);
    t.like(got?.data, { cause: 'test', configuration: { name: 'Plesk keys', plugin: 'test-ka' } });

    const [delivery] = await feature.webhooks.deliveries.listOf(db, endpoint.id, 10);
    t.like(delivery, { state: 'delivered', attempts: 1, lastStatus: 200 });
    const [attempt] = await feature.webhooks.deliveries.attemptsOf(db, [delivery?.id as number]);
    t.like(attempt, { statusCode: 200, responseExcerpt: 'thanks' });
    t.true((attempt?.latencyMs ?? -1) >= 0);

    // The secret is nowhere but sealed in its row: not in deliveries, attempts, the audit log or the logs.
    const everything = JSON.stringify([
      await db('webhook_deliveries'),
      await db('webhook_attempts'),
      await db('audit_events'),
      await db('webhook_endpoints'),
      feature.logs,
    ]);
    t.false(everything.includes(secret.slice('whsec_'.length)));
  });

  test(`${dialect}: a worker killed between commit and delivery: the event is delivered after a restart, once`, async (t) => {
    const { db, receiver, feature, endpoint } = await rig(t, dialect);
    const configurationId = await insertKaConfiguration(db);
    await transaction(db, (tx) => recordEvent(tx, { type: 'ka_configuration.failing', entityId: configurationId }));
    // The first worker fanned the event out and claimed its delivery, then died before sending.
    await feature.dispatcher.runDue();
    const [pending] = await feature.webhooks.deliveries.listOf(db, endpoint.id, 10);
    t.true(
      await feature.webhooks.deliveries.claim(db, pending?.id as number, 'dead-worker', Date.now(), Date.now() + 300),
    );
    await feature.close();

    const restarted = eventsFeature(db);
    t.teardown(() => restarted.close());
    await tick(restarted);
    t.is(receiver.received.length, 0, 'the dead worker’s lease still holds');
    await sleep(350);
    await tick(restarted);
    t.is(receiver.received.length, 1);
    await tick(restarted);
    t.is(receiver.received.length, 1);
  });

  test(`${dialect}: an endpoint down for a while gets every event afterwards, in order per entity`, async (t) => {
    const { db, receiver, feature, endpoint } = await rig(t, dialect);
    const a = await insertKaConfiguration(db, 'A');
    const b = await insertKaConfiguration(db, 'B');
    receiver.state.answer = 503;
    const order: Array<[number, string]> = [];
    for (const [id, n] of [
      [a, 1],
      [b, 1],
      [a, 2],
      [a, 3],
      [b, 2],
    ] as const) {
      const event = await transaction(db, (tx) =>
        recordEvent(tx, { type: 'ka_configuration.failing', entityId: id, data: { n } }),
      );
      order.push([id, event.id]);
    }
    await tick(feature);
    await sleep(60);
    await tick(feature);
    const attempts = await db('webhook_attempts').where({ endpoint_id: endpoint.id });
    t.true(attempts.length >= 2);
    t.true(attempts.every((row) => row.status_code === 503));
    // Only the first event of each entity was tried: the later ones wait behind it.
    t.deepEqual(new Set(attempts.map((row) => row.delivery_id)).size, 2);

    receiver.state.answer = 200;
    await waitFor(async () => {
      await tick(feature);
      return receiver.received.length >= 5;
    }, 'every event after the endpoint came back');
    for (const id of [a, b]) {
      const sent = order.filter(([entity]) => entity === id).map(([, eventId]) => eventId);
      const got = receiver.received.filter((e) => e.entity.id === String(id)).map((e) => e.id);
      t.deepEqual(got, sent);
    }
  });

  test(`${dialect}: retries used up: the delivery fails, the endpoint is marked failing and staff are told`, async (t) => {
    const database = await createTestDatabase(dialect);
    let secret = '';
    const receiver = await startWebhookReceiver(() => secret);
    const feature = eventsFeature(database.db, { webhookRetryDelaysMs: [20] });
    t.teardown(async () => {
      await feature.close();
      await receiver.close();
      await database.drop();
    });
    const { db } = database;
    const made = await feature.webhooks.service.create(
      { url: receiver.url, eventTypes: ['ka_configuration.failing'] },
      admin,
    );
    const { endpoint } = made;
    secret = made.secret as string;
    receiver.state.answer = 500;
    const configurationId = await insertKaConfiguration(db);
    await transaction(db, (tx) => recordEvent(tx, { type: 'ka_configuration.failing', entityId: configurationId }));
    await tick(feature);
    await sleep(40);
    await tick(feature);
    const [delivery] = await feature.webhooks.deliveries.listOf(db, endpoint.id, 10);
    t.like(delivery, { state: 'failed', attempts: 2, lastStatus: 500 });
    t.like(await feature.webhooks.service.get(endpoint.id), { status: 'failing' });
    const told = await db('mail_messages').where({ template: 'webhook_endpoint.failing' });
    t.is(told.length, 1);
    t.deepEqual(JSON.parse(told[0].recipients), ['staff@acme.test']);
    // It comes back: the next delivery succeeds and the endpoint is active again.
    receiver.state.answer = 200;
    await transaction(db, (tx) => recordEvent(tx, { type: 'ka_configuration.failing', entityId: configurationId }));
    await tick(feature);
    t.like(await feature.webhooks.service.get(endpoint.id), { status: 'active' });
  });
}

test('a tampered body or an old timestamp is refused by the stock verifier', async (t) => {
  let secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const receiver = await startWebhookReceiver(() => secret);
  t.teardown(() => receiver.close());
  const body = JSON.stringify({ id: 'evt_1', type: 'license.installed', data: { keyNumber: 'PLSK.1' } });
  const post = (payload: string, headers: Record<string, string>) =>
    fetch(receiver.url, { method: 'POST', body: payload, headers: { ...headers, 'content-type': 'application/json' } });

  t.is((await post(body, signedHeaders(secret, 'evt_1', body, new Date()))).status, 200);
  const tampered = body.replace('PLSK.1', 'PLSK.2');
  t.is((await post(tampered, signedHeaders(secret, 'evt_1', body, new Date()))).status, 400);
  const old = new Date(Date.now() - 10 * 60_000);
  t.is((await post(body, signedHeaders(secret, 'evt_1', body, old))).status, 400);
  secret = 'whsec_aW5vdGhlcnNlY3JldGludGhlcmVjZWl2ZXI=';
  t.is(
    (await post(body, signedHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'evt_1', body, new Date()))).status,
    400,
  );
  t.is(receiver.received.length, 1);
  t.is(receiver.refused.length, 3);
});

test('private and loopback targets are refused unless allowed; redirects are not followed', async (t) => {
  const database = await createTestDatabase('sqlite');
  const receiver = await startWebhookReceiver(() => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  const strict = eventsFeature(database.db, { allowPrivate: false, webhookRetryDelaysMs: [] });
  const open = eventsFeature(database.db, { allowPrivate: true, webhookRetryDelaysMs: [] });
  t.teardown(async () => {
    await strict.close();
    await open.close();
    await receiver.close();
    await database.drop();
  });
  const { db } = database;
  const { endpoint } = await strict.webhooks.service.create({ url: receiver.url, eventTypes: ['*'] }, admin);
  const configurationId = await insertKaConfiguration(db);
  await transaction(db, (tx) => recordEvent(tx, { type: 'ka_configuration.failing', entityId: configurationId }));
  await tick(strict);
  const [refused] = await strict.webhooks.deliveries.listOf(db, endpoint.id, 10);
  t.like(refused, { state: 'failed', lastStatus: null });
  t.regex(refused?.lastError ?? '', /private or loopback/);
  t.is(receiver.received.length + receiver.refused.length, 0);

  receiver.state.answer = 302;
  receiver.state.location = 'http://169.254.169.254/latest/meta-data/';
  await transaction(db, (tx) => recordEvent(tx, { type: 'ka_configuration.failing', entityId: configurationId }));
  await tick(open);
  const [redirected] = await open.webhooks.deliveries.listOf(db, endpoint.id, 10);
  t.like(redirected, { state: 'failed', lastStatus: 302 });
  t.regex(redirected?.lastError ?? '', /redirects are not followed/);
});
