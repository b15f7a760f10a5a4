import test from 'ava';
import { createLogger } from '../../../src/infra/log/logger.js';
import { isKaError } from '../../../src/plugin-sdk/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin, { type SoapKaAdapter } from '../index.js';
import { startReferenceSoapKa } from '../src/reference-server.js';

const context = { logger: createLogger('silent'), clock: () => new Date() };
const DAY_MS = 24 * 60 * 60 * 1000;

function plusMonths(date: Date, months: number): Date {
  const next = new Date(date.getTime());
  const day = next.getUTCDate();
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + months);
  next.setUTCDate(Math.min(day, new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate()));
  return next;
}

const sameSecond = (a: Date | null | undefined, b: Date) => Math.abs((a?.getTime() ?? 0) - b.getTime()) < 1000;

async function advanceDays(url: string, days: number): Promise<void> {
  const response = await fetch(new URL('/_reference/clock', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceDays: days }),
  });
  if (response.status !== 200) throw new Error(`clock answered ${response.status}`);
}

async function start() {
  const ka = await startReferenceSoapKa();
  const adapter = plugin.createAdapter(
    { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password },
    context,
  ) as SoapKaAdapter;
  return { ka, adapter };
}

const order = (reference: string, periodMonths: number) => ({
  requestId: reference,
  reference,
  product: 'RAS-SUBSCRIPTION',
  features: [],
  quantity: 10,
  periodMonths,
});

test('a subscription renewed in its grace period gets the year added to its expiry (003), with a new file', async (t) => {
  const { ka, adapter } = await start();
  t.teardown(() => ka.close());
  const key = await adapter.issueKey(order('kw-soap-term-1', 12));
  t.like(key, { termKind: 'term', periodMonths: 12, revision: '0000' });
  const expiry = key.expiresAt as Date;
  t.true(sameSecond(expiry, plusMonths(key.startsAt as Date, 12)));

  // Ten days past its expiry: expired, within its 30 days of grace, its file still issued.
  await advanceDays(ka.url, (expiry.getTime() - Date.now()) / DAY_MS + 10);
  const inGrace = await adapter.getKeyInfo(key.keyNumber);
  t.is(ka.authority.keyStatus(key.keyNumber), 'grace');
  t.true(
    sameSecond(inGrace.graceEndsAt, new Date(expiry.getTime() + 30 * DAY_MS)),
    'a primary key has 30 days of grace',
  );
  t.is((await adapter.retrieveFiles(key)).length, 1);

  const renewed = await adapter.renew(key.keyNumber, { periodMonths: 12 });
  t.true(sameSecond(renewed.expiresAt, plusMonths(expiry, 12)), 'from the expiry, not from today');
  t.is(renewed.revision, '0001');
  t.is(ka.authority.keyStatus(key.keyNumber), 'active', 'renewed in grace, the key is active again');
  const after = await adapter.getKeyInfo(key.keyNumber);
  t.true(sameSecond(after.expiresAt, plusMonths(expiry, 12)));
  t.is(after.revision, '0001');
});

test('a sublicense has no grace (002), and a terminated subscription cannot be renewed', async (t) => {
  const { ka, adapter } = await start();
  t.teardown(() => ka.close());
  const key = await adapter.issueKey(order('kw-soap-term-2', 1));
  const sub = ka.authority.createKey(DEMO_ACCOUNT.clientId, {
    productId: 'RAS-SUBLICENSE',
    parentKeyNumber: key.keyNumber,
    reserves: { users: 2 },
    renewWithParent: true,
  }).main;
  const subInfo = await adapter.getKeyInfo(sub.keyNumber);
  t.true(sameSecond(subInfo.graceEndsAt, subInfo.expiresAt as Date), 'a sublicense stops at its expiry');
  await advanceDays(ka.url, 40);
  t.is(ka.authority.keyStatus(key.keyNumber), 'grace');
  t.is(ka.authority.keyStatus(sub.keyNumber), 'expired');
  const file = await adapter
    .retrieveFiles({ keyNumber: sub.keyNumber, additionalKeyNumbers: [] })
    .catch((e: unknown) => e);
  t.true(isKaError(file) && file.code === 'business_rule', 'an expired sublicense issues no file');

  // Renewing the subscription in grace brings its renew-with-subscription sublicense along.
  const renewed = await adapter.renew(key.keyNumber, { periodMonths: 12 });
  t.true(sameSecond((await adapter.getKeyInfo(sub.keyNumber)).expiresAt, renewed.expiresAt as Date));

  await adapter.terminate(key.keyNumber);
  const refused = await adapter.renew(key.keyNumber, { periodMonths: 12 }).catch((e: unknown) => e);
  t.true(isKaError(refused) && refused.code === 'business_rule' && refused.kaResultCode === 'RENEW_REFUSED');
});
