import test from 'ava';
import { recordEvent } from '../../../src/features/events/record-event.js';
import { transaction } from '../../../src/infra/db/transaction.js';
import { insertKaConfiguration } from '../../helpers/catalog-fixtures.js';
import { startSmtpServer } from '../../helpers/event-receivers.js';
import { createTestDatabase, testDialects } from '../../helpers/test-database.js';
import { eventsFeature, tick } from './events-fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const admin = { type: 'staff' as const, id: '1', name: 'admin' };

async function needsManualRequest(db: import('knex').Knex, configurationId: number, product: string): Promise<number> {
  const now = Date.now();
  const [id] = await db('license_requests').insert({
    configuration_id: configurationId,
    source: 'manual',
    product,
    features: '[]',
    quantity: 1,
    state: 'needs_manual',
    reason: 'the KA refused: unknown product',
    attempts: 3,
    created_at: now,
    updated_at: now,
  });
  return Number(id);
}

for (const dialect of testDialects()) {
  test(`${dialect}: a server that answers 4xx then accepts: the mail is retried and sent, the log keeps its answers`, async (t) => {
    const database = await createTestDatabase(dialect);
    const smtp = await startSmtpServer({ refuseFirst: 1 });
    const feature = eventsFeature(database.db, { smtpUrl: smtp.url });
    t.teardown(async () => {
      await feature.close();
      await smtp.close();
      await database.drop();
    });
    const { db } = database;
    const configurationId = await insertKaConfiguration(db, 'Plesk keys');
    await transaction(db, (tx) =>
      recordEvent(tx, {
        type: 'ka_configuration.failing',
        entityId: configurationId,
        data: { cause: 'test', message: 'login refused' },
      }),
    );
    await tick(feature);
    const [first] = await feature.mail.service.mails.list(db, { limit: 10 });
    t.like(first, { state: 'pending', attempts: 1, to: ['staff@acme.test'], eventType: 'ka_configuration.failing' });
    t.regex(first?.serverAnswer ?? '', /451/);
    t.is(smtp.received.length, 0);

    await sleep(60);
    await tick(feature);
    const [sent] = await feature.mail.service.mails.list(db, { limit: 10 });
    t.like(sent, { state: 'sent', attempts: 2, subject: 'KA configuration "Plesk keys" is failing' });
    t.regex(sent?.serverAnswer ?? '', /^250/);
    t.is(smtp.received.length, 1);
    const mail = smtp.received[0]?.parsed;
    t.is(mail?.subject, 'KA configuration "Plesk keys" is failing');
    t.regex(mail?.text ?? '', /login refused/);
    t.regex(String(mail?.html), /<strong>Plesk keys<\/strong>/);
    t.is(mail?.from?.text, '"Acme Hosting" <noc@acme.test>');
  });

  test(`${dialect}: requests that need a person are told in one mail per configuration per window`, async (t) => {
    const database = await createTestDatabase(dialect);
    const smtp = await startSmtpServer();
    const feature = eventsFeature(database.db, { smtpUrl: smtp.url });
    t.teardown(async () => {
      await feature.close();
      await smtp.close();
      await database.drop();
    });
    const { db } = database;
    const configurationId = await insertKaConfiguration(db, 'RAS keys');
    for (const product of ['RAS-1', 'RAS-2']) {
      const id = await needsManualRequest(db, configurationId, product);
      await transaction(db, (tx) => recordEvent(tx, { type: 'license_request.needs_manual', entityId: id }));
    }
    await tick(feature);
    t.is(smtp.received.length, 1);
    const text = smtp.received[0]?.parsed.text ?? '';
    t.regex(text, /RAS-1/);
    t.regex(text, /RAS-2/);
    t.is(smtp.received[0]?.parsed.subject, '2 license request(s) need a person (RAS keys)');

    // Within the window, the next one waits for it.
    const third = await needsManualRequest(db, configurationId, 'RAS-3');
    await transaction(db, (tx) => recordEvent(tx, { type: 'license_request.needs_manual', entityId: third }));
    await tick(feature);
    t.is(smtp.received.length, 1);
    const waiting = (await feature.mail.service.mails.list(db, { limit: 10 }))[0];
    t.is(waiting?.state, 'pending');
    t.true(Date.parse(waiting?.nextAttemptAt ?? '') > Date.now() + 14 * 60_000);
  });
}

test('with no SMTP configured, mails are recorded as not sent with why, and the mailbox is not verified', async (t) => {
  const database = await createTestDatabase('sqlite');
  const feature = eventsFeature(database.db);
  t.teardown(async () => {
    await feature.close();
    await database.drop();
  });
  const { db } = database;
  const configurationId = await insertKaConfiguration(db);
  await transaction(db, (tx) => recordEvent(tx, { type: 'ka_configuration.failing', entityId: configurationId }));
  await tick(feature);
  const [mail] = await feature.mail.service.mails.list(db, { limit: 10 });
  t.like(mail, { state: 'not_sent' });
  t.regex(mail?.reason ?? '', /KEYWAY_SMTP_URL/);
  const test = await feature.mail.service.sendTest('ops@acme.test', admin);
  t.like(test, { state: 'not_sent', verified: false });
  t.like(await feature.mail.service.settings(), { transport: null, verified: false });
});

test('the mailbox is verified only once a test mail was accepted, through the transport it went through', async (t) => {
  const database = await createTestDatabase('sqlite');
  const smtp = await startSmtpServer({ refuseFirst: 1 });
  const feature = eventsFeature(database.db, { smtpUrl: smtp.url.replace('smtp://', 'smtp://keyway:s3cret-pass@') });
  t.teardown(async () => {
    await feature.close();
    await smtp.close();
    await database.drop();
  });
  const refused = await feature.mail.service.sendTest('ops@acme.test', admin);
  t.like(refused, { state: 'failed', verified: false });
  t.regex(refused.serverAnswer ?? '', /451/);
  const accepted = await feature.mail.service.sendTest('ops@acme.test', admin);
  t.like(accepted, { state: 'sent', verified: true });
  const settings = await feature.mail.service.settings();
  t.like(settings, { verified: true, lastTest: { to: 'ops@acme.test', state: 'sent' } });
  t.notRegex(JSON.stringify(settings), /s3cret-pass/);
  t.is(smtp.received[0]?.parsed.subject, 'Keyway test e-mail');
  t.false(feature.logs.join('').includes('s3cret-pass'));
});
