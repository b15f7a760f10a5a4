import test from 'ava';
import { AuditStore } from '../../../src/features/audit/audit-store.js';
import { LicensePhaseKeeper, phaseEventOf } from '../../../src/features/licenses/license-phase-keeper.js';
import { LicensePhaseStore } from '../../../src/features/licenses/license-phase-store.js';
import { LicenseStore } from '../../../src/features/licenses/license-store.js';
import { MailTemplates } from '../../../src/features/mail/mail-templates.js';
import { createDatabase, type Db } from '../../../src/infra/db/database.js';
import { createTestDatabase, testDialects } from '../../helpers/test-database.js';
import { eventsFeature } from '../events/events-fixture.js';
import { DAY, eventsPerEntity, insertCatalog, insertSubscriptions } from './scheduler-fixtures.js';

const now = Date.parse('2031-04-01T00:00:00Z');
const licenses = new LicenseStore();

function keeper(db: Db, batchSize?: number) {
  return new LicensePhaseKeeper({
    db,
    store: new LicensePhaseStore(),
    audit: new AuditStore(),
    rules: { warningDays: 14 },
    batchSize,
  });
}

async function insertLicenses(
  db: Db,
  catalog: { customerId: number; configurationId: number },
  subscriptionId: number | null,
  expiries: Array<number | null>,
): Promise<number[]> {
  const ids: number[] = [];
  for (const expiresAt of expiries) {
    const license = await licenses.insert(db, {
      requestId: null,
      configurationId: catalog.configurationId,
      subscriptionId,
      customerId: catalog.customerId,
      keyNumber: `KEY.${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
      product: 'PLESK-WEB-HOST',
      features: [],
      additionalKeyNumbers: [],
      source: 'upload',
      expiresAt,
    });
    ids.push(license.id);
  }
  return ids;
}

const phasesOf = async (db: Db, ids: number[]) =>
  (await db('licenses').whereIn('id', ids).orderBy('id').select('phase')).map((r) => r.phase);

test('what each move tells: expiring, expired into grace or straight to lapsed, grace ended; nothing back to active or for a terminated key', (t) => {
  const live = 'installed' as const;
  t.is(phaseEventOf({ from: 'active', to: 'expiring', status: live }), 'license.expiring');
  t.is(phaseEventOf({ from: 'expiring', to: 'grace', status: live }), 'license.expired');
  t.is(phaseEventOf({ from: 'expiring', to: 'lapsed', status: live }), 'license.expired');
  t.is(phaseEventOf({ from: 'grace', to: 'lapsed', status: live }), 'license.grace_ended');
  t.is(phaseEventOf({ from: 'grace', to: 'active', status: live }), undefined);
  t.is(phaseEventOf({ from: 'active', to: 'grace', status: 'terminated' }), undefined);
});

for (const dialect of testDialects()) {
  test(`${dialect}: a pass moves each license to the phase of its dates and tells each move once; a renewed license is active again`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const { db } = database;
    const catalog = await insertCatalog(db);
    const [subscriptionId = 0] = await insertSubscriptions(db, catalog, 1, now + 5 * DAY);
    const ids = await insertLicenses(db, catalog, subscriptionId, [
      now + 100 * DAY,
      now + 5 * DAY,
      now - 2 * DAY,
      now - 40 * DAY,
      null,
    ]);
    const [far = 0, soon = 0, expired = 0, old = 0] = ids;
    const [terminated = 0] = await insertLicenses(db, catalog, subscriptionId, [now - 2 * DAY]);
    await db('licenses').where({ id: terminated }).update({ status: 'terminated' });

    const pass = keeper(db);
    t.deepEqual(await pass.runDue(now), { moved: 4, events: 3, batches: 3 });
    t.deepEqual(await phasesOf(db, ids), ['active', 'expiring', 'grace', 'lapsed', 'active']);
    t.deepEqual(await pass.runDue(now + 60_000), { moved: 0, events: 0, batches: 0 }, 'a second pass tells nothing');
    t.deepEqual([...(await eventsPerEntity(db, 'license.expiring'))], [[String(soon), 1]]);
    t.deepEqual(
      [...(await eventsPerEntity(db, 'license.expired'))].sort(),
      [
        [String(expired), 1],
        [String(old), 1],
      ].sort(),
    );
    const [intoGrace] = await db('outbox_events').where({ type: 'license.expired', entity_id: String(expired) });
    t.like(JSON.parse(intoGrace.payload), {
      phase: 'grace',
      previousPhase: 'active',
      termEndsAt: new Date(now - 2 * DAY).toISOString(),
      graceEndsAt: new Date(now + 28 * DAY).toISOString(),
      keyNumber: (await licenses.get(db, expired))?.keyNumber,
      customer: { email: 'ada@example.com' },
      subscription: { id: subscriptionId },
    });
    const audited = await db('audit_events').where({ action: 'license.phase_changed', entity_id: String(expired) });
    t.like(audited[0], { from_state: 'active', to_state: 'grace', actor_type: 'worker' });
    t.is(
      await db('outbox_events')
        .where({ entity_id: String(terminated) })
        .first(),
      undefined,
      'a terminated key tells nothing',
    );

    // Time passes: the expiring one's term ends, the one in grace runs out of it.
    await pass.runDue(now + 29 * DAY);
    t.deepEqual(await phasesOf(db, [far, soon, expired]), ['active', 'grace', 'lapsed']);
    t.deepEqual([...(await eventsPerEntity(db, 'license.grace_ended'))], [[String(expired), 1]]);

    // Renewed (its expiry moved a year on): active again at the next pass, without an event.
    await db('licenses')
      .where({ id: soon })
      .update({ expires_at: now + 370 * DAY });
    const before = Number((await db('outbox_events').count({ n: '*' }).first())?.n);
    await pass.runDue(now + 30 * DAY);
    t.deepEqual(await phasesOf(db, [soon]), ['active']);
    t.is(Number((await db('outbox_events').count({ n: '*' }).first())?.n), before);
  });

  test(`${dialect}: the customer is mailed when a license expires, with the day its grace ends`, async (t) => {
    const database = await createTestDatabase(dialect);
    const events = eventsFeature(database.db);
    t.teardown(async () => {
      await events.close();
      await database.drop();
    });
    const catalog = await insertCatalog(database.db);
    const [licenseId] = await insertLicenses(database.db, catalog, null, [now - DAY]);
    await keeper(database.db).runDue(now);
    await events.dispatcher.runDue();
    const [mail] = await database.db('mail_messages').where({ template: 'license.expired' });
    t.deepEqual(JSON.parse(mail.recipients), ['ada@example.com']);
    const variables = JSON.parse(mail.variables);
    t.like(variables, { licenseId, termEndsAt: '2031-03-31', graceEndsAt: '2031-04-30', inGrace: true });
    const rendered = await new MailTemplates().render('license.expired', { ...variables, providerName: 'Acme' });
    t.regex(rendered.subject, /has expired/);
    t.regex(rendered.text, /grace period until 2031-04-30/);
    t.regex(rendered.html ?? '', /grace period until <strong>2031-04-30<\/strong>/);
    for (const name of ['license.expiring', 'license.grace_ended']) {
      const other = await new MailTemplates().render(name, { ...variables, providerName: 'Acme' });
      t.true(other.text.includes(variables.keyNumber) && other.html?.includes(variables.keyNumber), name);
    }
  });
}

if (testDialects().includes('mysql')) {
  test('mysql: two keepers passing at once over 1,000 licenses tell each expiry exactly once', async (t) => {
    const database = await createTestDatabase('mysql');
    const second = createDatabase(database.url);
    t.teardown(async () => {
      await second.destroy();
      await database.drop();
    });
    const catalog = await insertCatalog(database.db);
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      configuration_id: catalog.configurationId,
      customer_id: catalog.customerId,
      key_number: `RACE.${String(i).padStart(6, '0')}`,
      product: 'P',
      features: '[]',
      additional_key_numbers: '[]',
      status: 'installed',
      source: 'upload',
      expires_at: now - (i % 2 ? DAY : 5 * DAY),
      created_at: now,
      updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 250) await database.db('licenses').insert(rows.slice(i, i + 250));
    const [x, y] = await Promise.all([keeper(database.db, 100).runDue(now), keeper(second, 100).runDue(now)]);
    t.is(x.events + y.events, 1000);
    const told = await eventsPerEntity(database.db, 'license.expired');
    t.is(told.size, 1000);
    t.true([...told.values()].every((n) => n === 1));
    t.is(
      Number(
        (await database.db('audit_events').where({ action: 'license.phase_changed' }).count({ n: '*' }).first())?.n,
      ),
      1000,
    );
  });
}
