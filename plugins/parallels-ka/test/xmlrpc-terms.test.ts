import test from 'ava';
import { createLogger } from '../../../src/infra/log/logger.js';
import { isKaError, type LicenseOrder } from '../../../src/plugin-sdk/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin, { type XmlRpcKaAdapter } from '../index.js';
import { startReferenceXmlRpcKa } from '../src/reference-server.js';

const context = { logger: createLogger('silent'), clock: () => new Date() };
const DAY_MS = 24 * 60 * 60 * 1000;

function order(reference: string, product: string, periodMonths?: number): LicenseOrder {
  return { requestId: reference, reference, product, features: [], quantity: 1, periodMonths };
}

function plusMonths(date: Date, months: number): Date {
  const next = new Date(date.getTime());
  const day = next.getUTCDate();
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + months);
  next.setUTCDate(Math.min(day, new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate()));
  return next;
}

/** The KA's clock moved through its admin surface, as the demo and tests do. */
async function advanceDays(url: string, days: number): Promise<{ now: string }> {
  const response = await fetch(new URL('/_reference/clock', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceDays: days }),
  });
  return (await response.json()) as { now: string };
}

async function start(fixedTerms?: string) {
  const ka = await startReferenceXmlRpcKa();
  const adapter = plugin.createAdapter(
    {
      endpoint: ka.url,
      login: DEMO_ACCOUNT.login,
      password: DEMO_ACCOUNT.password,
      clientId: DEMO_ACCOUNT.clientId,
      ...(fixedTerms ? { fixedTerms } : {}),
    },
    context,
  ) as XmlRpcKaAdapter;
  return { ka, adapter };
}

const sameSecond = (a: Date | null | undefined, b: Date) => Math.abs((a?.getTime() ?? 0) - b.getTime()) < 1000;

test('without a fixed term for its key type, a 12-month order is a monthly lease the KA renews itself, each month a new file', async (t) => {
  const { ka, adapter } = await start();
  t.teardown(() => ka.close());
  const key = await adapter.issueKey(order('kw-lease-1', 'PLESK-12-WEB-PRO', 12));
  t.like(key, { termKind: 'lease', periodMonths: 1, revision: '0000' });
  const atKa = ka.authority.getKey(key.keyNumber);
  t.is(atKa.billingType, 'LEASE', 'sent as licenseType billing');
  t.true(sameSecond(key.expiresAt, plusMonths(atKa.createdAt, 1)), 'a lease runs a month at a time');

  const moved = await advanceDays(ka.url, 40);
  t.true(Date.parse(moved.now) > Date.now() + 39 * DAY_MS, 'the admin knob moved the KA clock');
  const info = await adapter.getKeyInfo(key.keyNumber);
  t.like(info, { termKind: 'lease', periodMonths: 1, revision: '0001', terminated: false });
  t.true(sameSecond(info.expiresAt, plusMonths(atKa.createdAt, 2)), 'the KA renewed the lease when its month passed');
  const [file] = await adapter.retrieveFiles(key);
  t.is(file?.revision, '0001', 'the renewed file is the new revision');
  t.regex(
    file?.content.toString('utf8') ?? '',
    new RegExp(`<core:expiration-date[^>]*>${plusMonths(atKa.createdAt, 2).toISOString().slice(0, 10)}<`),
  );

  // Terminated, the lease stops: another month passes and nothing moves.
  await adapter.terminate(key.keyNumber);
  await advanceDays(ka.url, 40);
  const after = await adapter.getKeyInfo(key.keyNumber);
  t.is(after.revision, '0001');
  const refused = await adapter.renew(key.keyNumber).catch((e: unknown) => e);
  t.true(
    isKaError(refused) && refused.code === 'business_rule' && refused.kaResultCode === 285,
    'renewing a terminated key is refused',
  );
});

test('a key type sold as a fixed term of the period ordered is bought, and renews by its own period only, from the expiry', async (t) => {
  const { ka, adapter } = await start('PLESK-12-WEB-PRO=12');
  t.teardown(() => ka.close());
  t.is(adapter.renewPeriods, 'fixed');
  const key = await adapter.issueKey(order('kw-term-1', 'PLESK-12-WEB-PRO', 12));
  t.like(key, { termKind: 'term', periodMonths: 12 });
  const atKa = ka.authority.getKey(key.keyNumber);
  t.is(atKa.billingType, 'PURCHASE', 'sent as licenseType purchase');
  t.true(sameSecond(key.expiresAt, plusMonths(atKa.createdAt, 12)));
  const info = await adapter.getKeyInfo(key.keyNumber);
  t.like(info, { termKind: 'term', periodMonths: 12, revision: '0000' });
  t.true(sameSecond(info.startsAt, atKa.createdAt), 'getKeyInfo says when the key started');

  const refused = await adapter.renew(key.keyNumber, { periodMonths: 24 }).catch((e: unknown) => e);
  t.true(isKaError(refused) && refused.code === 'not_supported' && !refused.outcomeUnknown);
  t.is(ka.authority.getKey(key.keyNumber).revision, '0000', 'nothing was sent');

  // Renewed early, two months before it ends: a year is added to the expiry, not to today.
  await advanceDays(ka.url, 300);
  const renewed = await adapter.renew(key.keyNumber, { periodMonths: 12 });
  t.true(sameSecond(renewed.expiresAt, plusMonths(atKa.createdAt, 24)));
  t.is(renewed.revision, '0001', 'the renewal is a new file revision');
  t.true(sameSecond(ka.authority.getKey(key.keyNumber).expiresAt, plusMonths(atKa.createdAt, 24)));

  // The same key type ordered for another period cannot be bought as such: a monthly lease.
  const other = await adapter.issueKey(order('kw-term-2', 'PLESK-12-WEB-PRO', 24));
  t.like(other, { termKind: 'lease', periodMonths: 1 });
});

test('a malformed fixedTerms setting is a permanent error naming the setting', (t) => {
  const error = t.throws(() =>
    plugin.createAdapter(
      { endpoint: 'http://127.0.0.1:9', login: 'l', password: 'p', fixedTerms: 'PLESK-12-WEB-PRO=13' },
      context,
    ),
  );
  t.true(isKaError(error) && error.code === 'bad_request' && /fixedTerms/.test(error.message));
});
