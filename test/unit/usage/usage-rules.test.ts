import test from 'ava';
import { buyMoreOf, DAY_MS, judge, nextReview, type UsageWatch } from '../../../src/features/usage/usage-rules.js';

const t0 = Date.UTC(2030, 2, 10);

function watch(changes: Partial<UsageWatch> = {}): UsageWatch {
  return {
    licenseId: 1,
    configurationId: 1,
    customerId: 1,
    keyNumber: 'RASS.00000001',
    product: 'RAS-SAAS',
    saas: false,
    quota: 5,
    packSize: null,
    firstDay: '2030-03-01',
    lastReportAt: t0,
    lastPeak: 3,
    overuseSince: null,
    graceEndsAt: null,
    graceQuota: null,
    overuseTold: 'none',
    farmState: null,
    missingTold: 0,
    expiredAt: null,
    reviewAt: t0,
    updatedAt: t0,
    ...changes,
  };
}

test('the buy-more quantity covers the peak: whole packs when the product sells packs, else the peak', (t) => {
  t.deepEqual(buyMoreOf(12, 5), { packs: 3, units: 15 });
  t.deepEqual(buyMoreOf(10, 5), { packs: 2, units: 10 });
  t.deepEqual(buyMoreOf(12, null), { units: 12 });
  t.deepEqual(buyMoreOf(12, 1), { units: 12 });
});

test('usage above the quota starts a 7-day grace; once spent at a quota it comes back only when the quota is raised', (t) => {
  const first = judge(watch({ lastPeak: 8 }), t0, {});
  t.is(first.changes.graceEndsAt, t0 + 7 * DAY_MS);
  t.is(first.changes.graceQuota, 5);
  t.deepEqual(
    first.events.map((e) => e.type),
    ['usage.overuse_started'],
  );

  const spent = { graceQuota: 5, graceEndsAt: t0 + 7 * DAY_MS, lastPeak: 8 };
  const again = judge(watch({ ...spent, lastReportAt: t0 + 20 * DAY_MS }), t0 + 20 * DAY_MS, {});
  t.is(again.changes.graceEndsAt, t0 + 7 * DAY_MS, 'no new grace at the same quota');
  t.false(again.events[0]?.data.graceAvailable);

  const raised = judge(watch({ ...spent, quota: 6, lastReportAt: t0 + 20 * DAY_MS }), t0 + 20 * DAY_MS, {});
  t.is(raised.changes.graceEndsAt, t0 + 27 * DAY_MS, 'a raised quota gives the grace back');
});

test('the grace notices come a day before its end and at its end, each once', (t) => {
  const running = watch({ lastPeak: 8, overuseSince: t0, graceEndsAt: t0 + 7 * DAY_MS, overuseTold: 'started' });
  t.deepEqual(judge(running, t0 + 5 * DAY_MS, {}).events, []);
  const ending = judge(running, t0 + 6.5 * DAY_MS, {});
  t.deepEqual(
    ending.events.map((e) => e.type),
    ['usage.overuse_grace_ending'],
  );
  const ended = judge({ ...running, overuseTold: 'ending' }, t0 + 7 * DAY_MS, {});
  t.deepEqual(
    ended.events.map((e) => e.type),
    ['usage.overuse_grace_ended'],
  );
  t.deepEqual(judge({ ...running, overuseTold: 'ended' }, t0 + 8 * DAY_MS, {}).events, []);
  t.is(nextReview(running, t0), t0 + 6 * DAY_MS);
});

test('a SaaS key is warned on days 1, 3 and 6 without reports, and shown expired once the KA expired it', (t) => {
  const saas = watch({ saas: true });
  t.deepEqual(judge(saas, t0 + 12 * 60 * 60 * 1000, {}).events, []);
  t.is(judge(saas, t0 + 1 * DAY_MS, {}).events[0]?.data.day, 1);
  t.is(judge({ ...saas, missingTold: 1 }, t0 + 4 * DAY_MS, {}).events[0]?.data.day, 3);
  t.deepEqual(judge({ ...saas, missingTold: 6 }, t0 + 6.5 * DAY_MS, {}).events, []);
  const expired = judge({ ...saas, missingTold: 6 }, t0 + 7.2 * DAY_MS, { keyExpiresAt: t0 + 7 * DAY_MS });
  t.is(expired.changes.expiredAt, t0 + 7 * DAY_MS);
  t.deepEqual(
    expired.events.map((e) => e.type),
    ['usage.saas_expired'],
  );
  t.is(nextReview(saas, t0), t0 + DAY_MS);
});
