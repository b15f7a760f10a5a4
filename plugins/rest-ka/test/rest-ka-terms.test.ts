import test from 'ava';
import { createLogger } from '../../../src/infra/log/logger.js';
import { isKaError } from '../../../src/plugin-sdk/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin, { type RestKaAdapter } from '../index.js';
import { startReferenceRestKa } from '../src/reference-server.js';

const context = { logger: createLogger('silent'), clock: () => new Date() };

function plusMonths(date: Date, months: number): Date {
  const next = new Date(date.getTime());
  const day = next.getUTCDate();
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + months);
  next.setUTCDate(Math.min(day, new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate()));
  return next;
}

const sameSecond = (a: Date | null | undefined, b: Date) => Math.abs((a?.getTime() ?? 0) - b.getTime()) < 1000;

test('containers renewed early for two years get them added to the expiry; a period the product does not sell and a terminated key are refused', async (t) => {
  const ka = await startReferenceRestKa();
  t.teardown(() => ka.close());
  const adapter = plugin.createAdapter(
    { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password },
    context,
  ) as RestKaAdapter;
  const reference = 'kw-rest-term-1';
  const key = await adapter.issueKey({
    requestId: reference,
    reference,
    product: 'VZ-CONTAINERS',
    features: [],
    quantity: 4,
    periodMonths: 12,
  });
  t.like(key, { termKind: 'term', periodMonths: 12, revision: '0000' });
  const expiry = key.expiresAt as Date;

  const clock = await fetch(`${ka.url}/_reference/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceDays: 100 }),
  });
  t.is(clock.status, 200);
  const back = await fetch(`${ka.url}/_reference/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceDays: -1 }),
  });
  t.is(back.status, 400, 'the clock never goes back');

  const monthly = await adapter.renew(key.keyNumber, { periodMonths: 1 }).catch((e: unknown) => e);
  t.true(
    isKaError(monthly) && monthly.code === 'business_rule' && monthly.kaResultCode === 'RENEW_REFUSED',
    'VZ-CONTAINERS is sold by the year only',
  );

  const renewed = await adapter.renew(key.keyNumber, { periodMonths: 24 });
  t.true(sameSecond(renewed.expiresAt, plusMonths(expiry, 24)), 'from the expiry, not from today');
  t.like(renewed, { periodMonths: 24, revision: '0001' });
  const info = await adapter.getKeyInfo(key.keyNumber);
  t.true(sameSecond(info.expiresAt, plusMonths(expiry, 24)));
  t.true(sameSecond(info.graceEndsAt, new Date(plusMonths(expiry, 24).getTime() + 14 * 24 * 60 * 60 * 1000)));

  // Without a period: the key's own (the 24 months it was last renewed for).
  const again = await adapter.renew(key.keyNumber);
  t.true(sameSecond(again.expiresAt, plusMonths(expiry, 48)));

  await adapter.terminate(key.keyNumber);
  const refused = await adapter.renew(key.keyNumber, { periodMonths: 12 }).catch((e: unknown) => e);
  t.true(isKaError(refused) && refused.code === 'business_rule');
});
