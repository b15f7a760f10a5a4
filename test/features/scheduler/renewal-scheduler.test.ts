import test from 'ava';
import { AuditStore } from '../../../src/features/audit/audit-store.js';
import { AutoRenewService } from '../../../src/features/subscriptions/auto-renew-service.js';
import { RenewalScheduleStore } from '../../../src/features/subscriptions/renewal-schedule-store.js';
import {
  autoRenewalReference,
  type RenewAndPay,
  RenewalScheduler,
} from '../../../src/features/subscriptions/renewal-scheduler.js';
import { createDatabase, type Db } from '../../../src/infra/db/database.js';
import { createTestDatabase, testDialects } from '../../helpers/test-database.js';
import { DAY, eventsPerEntity, insertCatalog, insertSubscriptions, keptLogger } from './scheduler-fixtures.js';

const expiry = Date.parse('2031-04-01T00:00:00Z');
const staff = { type: 'staff' as const, id: 'staff:1', name: 'operator' };
const neverPays: RenewAndPay = async () => {
  throw new Error('store mode never pays');
};

function scheduler(
  db: Db,
  options: {
    payment?: 'store' | 'assume';
    renewAndPay?: RenewAndPay;
    batchSize?: number;
    paymentsInFlight?: number;
  } = {},
) {
  const { logger, lines } = keptLogger();
  const store = new RenewalScheduleStore();
  return Object.assign(
    new RenewalScheduler({
      db,
      store,
      audit: new AuditStore(),
      logger,
      noticeDays: 7,
      payment: options.payment ?? 'store',
      renewAndPay: options.renewAndPay ?? neverPays,
      payRetryMs: 60_000,
      batchSize: options.batchSize,
      paymentsInFlight: options.paymentsInFlight,
    }),
    { lines, autoRenew: new AutoRenewService({ db, store, audit: new AuditStore() }) },
  );
}

for (const dialect of testDialects()) {
  test(`${dialect}: a subscription cancelling at its term's end is never due for renewal`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const { db } = database;
    const catalog = await insertCatalog(db);
    const [cancelling = 0, renewing = 0] = await insertSubscriptions(db, catalog, 2, expiry);
    await db('subscriptions').where({ id: cancelling }).update({ cancel_at: expiry });
    const passes = scheduler(db);
    t.like(await passes.runDue(expiry - 7 * DAY), { raised: 1 });
    t.deepEqual([...(await eventsPerEntity(db, 'subscription.renewal_due'))], [[String(renewing), 1]]);
  });

  test(`${dialect}: renewal_due is raised once per term, KEYWAY_RENEWAL_NOTICE_DAYS before expiry, and not with auto-renew off`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const { db } = database;
    const catalog = await insertCatalog(db);
    const [due = 0, off = 0] = await insertSubscriptions(db, catalog, 2, expiry);
    const passes = scheduler(db);
    await passes.autoRenew.set(off, false, staff);

    t.like(await passes.runDue(expiry - 8 * DAY), { raised: 0 }, 'eight days before: not yet');
    t.like(await passes.runDue(expiry - 7 * DAY), { raised: 1 });
    t.like(await passes.runDue(expiry - 6 * DAY), { raised: 0 }, 'the next pass of the same term raises nothing');
    t.like(await passes.runDue(expiry - 1), { raised: 0 });
    let raised = await eventsPerEntity(db, 'subscription.renewal_due');
    t.deepEqual([...raised], [[String(due), 1]]);
    const [event] = await db('outbox_events').where({ type: 'subscription.renewal_due' });
    t.like(JSON.parse(event.payload), {
      subscriptionId: due,
      expiresAt: '2031-04-01T00:00:00.000Z',
      periodMonths: 12,
      customer: { email: 'ada@example.com' },
    });
    t.is(
      await db('audit_events')
        .where({ action: 'subscription.renewal_due', entity_id: String(due) })
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      1,
    );

    // Renewed for a year (its expiry moved): the next term is raised again, once.
    const next = Date.parse('2032-04-01T00:00:00Z');
    await db('subscriptions').where({ id: due }).update({ expires_at: next });
    t.like(await passes.runDue(expiry + DAY), { raised: 0 });
    t.like(await passes.runDue(next - 7 * DAY), { raised: 1 });
    t.like(await passes.runDue(next - 2 * DAY), { raised: 0 });
    raised = await eventsPerEntity(db, 'subscription.renewal_due');
    t.deepEqual([...raised], [[String(due), 2]]);

    // Auto-renew off was audited once; turning it off again changes nothing.
    t.deepEqual(await passes.autoRenew.set(off, false, staff), { changed: false });
    const toggles = await db('audit_events').where({ entity_type: 'subscription', entity_id: String(off) });
    t.deepEqual(
      toggles.map((e) => e.action),
      ['subscription.auto_renew_off'],
    );
    // Turned back on within the notice: raised at the next pass.
    await passes.autoRenew.set(off, true, staff);
    t.like(await passes.runDue(next - DAY), { raised: 0 }, 'its expiry (2031) is past the grace of 30 days by 2032');
    t.like(await passes.runDue(expiry - DAY), { raised: 1 });
  });

  test(`${dialect}: a subscription expired within its licenses' grace is still raised; one past it is not`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const catalog = await insertCatalog(database.db);
    await insertSubscriptions(database.db, catalog, 1, expiry - 10 * DAY);
    await insertSubscriptions(database.db, catalog, 1, expiry - 31 * DAY);
    t.like(await scheduler(database.db).runDue(expiry), { raised: 1 });
  });

  test(`${dialect}: with payment assume, Keyway pays each due renewal once under one reference per term, and tries a failed one again`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const { db } = database;
    const catalog = await insertCatalog(db);
    const [a = 0, b = 0] = await insertSubscriptions(db, catalog, 2, expiry);
    const calls: Array<[number, number, string]> = [];
    let failB = true;
    // The renewal orders' answer: paying moves the expiry by the period.
    const renewAndPay: RenewAndPay = async (id, months, reference) => {
      calls.push([id, months, reference]);
      if (id === b && failB) throw new Error('the KA is down');
      await db('subscriptions')
        .where({ id })
        .update({ expires_at: expiry + months * 30 * DAY });
    };
    const passes = scheduler(db, { payment: 'assume', renewAndPay });
    const now = expiry - 7 * DAY;
    t.deepEqual(await passes.runDue(now), { raised: 2, paid: 1, failed: 1 });
    t.deepEqual(calls, [
      [a, 12, `auto-renew-${a}-${expiry}`],
      [b, 12, autoRenewalReference({ id: b, expiresAt: expiry })],
    ]);
    t.true(passes.lines.some((l) => l.includes('paying a due renewal failed')));
    const failed = await db('audit_events').where({ action: 'subscription.autopay_failed' });
    t.is(failed.length, 1);
    t.regex(failed[0].error, /the KA is down/);

    // Within the retry delay nobody tries again; after it, the same reference is paid.
    t.deepEqual(await passes.runDue(now + 30_000), { raised: 0, paid: 0, failed: 0 });
    failB = false;
    t.deepEqual(await passes.runDue(now + 61_000), { raised: 0, paid: 1, failed: 0 });
    t.deepEqual(calls.at(-1), [b, 12, `auto-renew-${b}-${expiry}`]);
    t.deepEqual(await passes.runDue(now + 200_000), { raised: 0, paid: 0, failed: 0 });
    t.is(calls.length, 3);
  });

  test(`${dialect}: a pass pays its due renewals a few at a time, each once, and counts a failure among them`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const { db } = database;
    const catalog = await insertCatalog(db);
    const ids = await insertSubscriptions(db, catalog, 20, expiry);
    const paidIds: number[] = [];
    let inFlight = 0;
    let most = 0;
    const renewAndPay: RenewAndPay = async (id, months) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      // Long enough that the next payments start before this one ends.
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight -= 1;
      if (id === ids[5]) throw new Error('the store refused the card');
      await db('subscriptions')
        .where({ id })
        .update({ expires_at: expiry + months * 30 * DAY });
      paidIds.push(id);
    };
    const passes = scheduler(db, { payment: 'assume', renewAndPay, batchSize: 8, paymentsInFlight: 4 });
    t.deepEqual(await passes.runDue(expiry - 7 * DAY), { raised: 20, paid: 19, failed: 1 });
    t.is(most, 4, 'four payments in flight, never more');
    t.deepEqual(
      [...paidIds].sort((a, b) => a - b),
      ids.filter((id) => id !== ids[5]),
    );
    t.is(
      await db('audit_events')
        .where({ action: 'subscription.autopay_failed' })
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      1,
    );
  });
}

if (testDialects().includes('mysql')) {
  test('mysql: two schedulers passing at once over 1,200 due subscriptions raise each renewal_due exactly once', async (t) => {
    const database = await createTestDatabase('mysql');
    const second = createDatabase(database.url);
    t.teardown(async () => {
      await second.destroy();
      await database.drop();
    });
    const catalog = await insertCatalog(database.db);
    const ids = await insertSubscriptions(database.db, catalog, 1200, expiry);
    const one = scheduler(database.db, { batchSize: 100 });
    const two = scheduler(second, { batchSize: 100 });
    const [x, y] = await Promise.all([one.runDue(expiry - DAY), two.runDue(expiry - DAY)]);
    t.is(x.raised + y.raised, 1200);
    const raised = await eventsPerEntity(database.db, 'subscription.renewal_due');
    t.is(raised.size, 1200);
    t.true([...raised.values()].every((n) => n === 1));
    t.deepEqual(
      [...raised.keys()].map(Number).sort((a, b) => a - b),
      ids,
    );
    t.is(
      Number(
        (await database.db('audit_events').where({ action: 'subscription.renewal_due' }).count({ n: '*' }).first())?.n,
      ),
      1200,
    );
  });
}
