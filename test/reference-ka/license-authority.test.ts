import test from 'ava';
import { AuthorityError } from '../../src/reference-ka/authority-error.js';
import { DEMO_ACCOUNT } from '../../src/reference-ka/demo-catalogue.js';
import { LicenseAuthority } from '../../src/reference-ka/license-authority.js';
import { SUBSCRIPTION_PRODUCTS } from '../../src/reference-ka/subscription-catalogue.js';

const client = DEMO_ACCOUNT.clientId;
const server = { ips: ['203.0.113.5'], macs: [] };

function authority(): LicenseAuthority {
  return new LicenseAuthority({ demo: true });
}

test('a new key has a well-formed number, activation code, dates and limits', (t) => {
  const ka = authority();
  const { main } = ka.createKey(client, { productId: 'PLESK-12-WEB-HOST', features: ['FT-100-DOMAINS'], server });
  t.regex(main.keyNumber, /^PLSK\.\d{8}$/);
  t.is(main.revision, '0000');
  t.regex(main.productKey, /^[A-Z0-9]{6}(-[A-Z0-9]{6}){4}$/);
  t.true(main.expiresAt > main.createdAt);
  t.is(main.updatesUntil, null);
  t.is(main.limits.domains, 130);
  t.is(ka.getKey(main.productKey).keyNumber, main.keyNumber);
  t.is(ka.getKey(`${main.keyNumber}.0000`).keyNumber, main.keyNumber);
});

test('wrong credentials fail without saying which part was wrong', (t) => {
  const ka = authority();
  const error = t.throws(() => ka.authenticate(DEMO_ACCOUNT.login, 'nope'), { instanceOf: AuthorityError });
  t.is(error?.code, 'auth_failed');
  t.is(ka.authenticate(DEMO_ACCOUNT.login, DEMO_ACCOUNT.password).clientId, client);
});

test('additional keys reserve part of the parent quota and are refused beyond it', (t) => {
  const ka = authority();
  const { main, additional } = ka.createKey(client, {
    productId: 'PLESK-12-WEB-HOST',
    additionalProducts: ['KAV-ADDON'],
    server,
  });
  t.is(additional.length, 1);
  t.is(additional[0]?.kind, 'ADDITIONAL');
  t.is(additional[0]?.parentKeyNumber, main.keyNumber);
  t.regex(additional[0]?.keyNumber ?? '', /^EXT\.\d{8}$/);
  t.is(ka.remainingQuota(main.keyNumber).mailnames, 50);
  ka.createKey(client, { productId: 'KAV-ADDON', parentKeyNumber: main.keyNumber });
  t.is(ka.remainingQuota(main.keyNumber).mailnames, 0);
  const error = t.throws(() => ka.createKey(client, { productId: 'KAV-ADDON', parentKeyNumber: main.keyNumber }), {
    instanceOf: AuthorityError,
  });
  t.is(error?.code, 'quota_exceeded');
  t.deepEqual(ka.getKey(main.keyNumber).additionalKeyNumbers.length, 2);
  // Terminating an add-on gives its quota back.
  ka.terminateKey(client, additional[0]?.keyNumber ?? '');
  t.is(ka.remainingQuota(main.keyNumber).mailnames, 50);
});

test('an activation moves to another installation at most three times', (t) => {
  const ka = authority();
  const { main } = ka.createKey(client, { productId: 'PLESK-12-WEB-HOST', server });
  t.true(ka.activateKey(client, main.keyNumber, 'hw-0').changed);
  t.false(ka.activateKey(client, main.keyNumber, 'hw-0').changed);
  t.is(
    t.throws(() => ka.activateKey(client, main.keyNumber, 'hw-x'), { instanceOf: AuthorityError })?.code,
    'hwid_in_use',
  );
  for (const hw of ['hw-1', 'hw-2', 'hw-3']) {
    ka.resetKey(client, main.keyNumber);
    ka.activateKey(client, main.keyNumber, hw);
  }
  t.is(ka.getKey(main.keyNumber).activation.moves, 3);
  ka.resetKey(client, main.keyNumber);
  const error = t.throws(() => ka.activateKey(client, main.keyNumber, 'hw-4'), { instanceOf: AuthorityError });
  t.is(error?.code, 'activation_limit');
  // Going back to the last installation is not a move.
  t.true(ka.activateKey(client, main.keyNumber, 'hw-3').changed);
});

test('upgrade, renew and terminate change the key as the protocol expects', (t) => {
  let now = new Date('2026-01-15T10:00:00Z');
  const ka = new LicenseAuthority({ demo: true, clock: () => now });
  const { main } = ka.createKey(client, { productId: 'PLESK-12-WEB-HOST', server });
  t.deepEqual(ka.availableUpgrades(client, main.keyNumber), ['FT-POWER-PACK', 'FT-100-DOMAINS']);
  t.true(ka.upgradeKey(client, main.keyNumber, ['FT-POWER-PACK']).changed);
  t.false(ka.upgradeKey(client, main.keyNumber, ['FT-POWER-PACK']).changed);
  t.is(ka.getKey(main.keyNumber).revision, '0001');
  now = new Date('2026-02-20T10:00:00Z');
  const renewed = ka.renewKey(client, main.keyNumber);
  t.is(renewed.expiresAt.toISOString(), '2026-03-20T10:00:00.000Z');
  t.true(ka.terminateKey(client, main.keyNumber).changed);
  t.false(ka.terminateKey(client, main.keyNumber).changed);
  t.is(t.throws(() => ka.keyFile(main.keyNumber))?.constructor, AuthorityError);
});

test('keys are found by server address and are private to their client', (t) => {
  const ka = authority();
  ka.addAccount({ login: 'other', password: 'pw', clientId: 7 });
  const { main } = ka.createKey(client, { productId: 'PLESK-12-WEB-HOST', server });
  t.deepEqual(
    ka.findKeysByServer({ ips: ['203.0.113.5'], macs: [] }, client).map((k) => k.keyNumber),
    [main.keyNumber],
  );
  t.is(ka.findKeysByServer({ ips: ['198.51.100.1'], macs: [] }, client).length, 0);
  const error = t.throws(() => ka.getKey(main.keyNumber, 7), { instanceOf: AuthorityError });
  t.is(error?.code, 'permission_denied');
});

test('faults are played the number of times asked', (t) => {
  const ka = authority();
  ka.injectFault('createKey', { kind: 'result', code: 'internal' }, { times: 2 });
  t.is(ka.takeFault('createKey')?.kind, 'result');
  t.is(ka.takeFault('createKey')?.kind, 'result');
  t.is(ka.takeFault('createKey'), undefined);
  ka.injectFault('retrieveKey', { kind: 'drop' });
  ka.clearFaults();
  t.is(ka.takeFault('retrieveKey'), undefined);
});

test('create is idempotent on the external id by default, and not in the Partner API 1.0 mode', (t) => {
  const input = { productId: 'PLESK-12-WEB-HOST', externalId: 'kw-abc-1', server };
  const idempotent = authority();
  t.is(idempotent.createKey(client, input).main.keyNumber, idempotent.createKey(client, input).main.keyNumber);
  t.is(idempotent.findKeysByExternalId('kw-abc-1').length, 1);

  const plain = new LicenseAuthority({ demo: true, idempotentCreate: false });
  t.not(plain.createKey(client, input).main.keyNumber, plain.createKey(client, input).main.keyNumber);
  t.is(plain.findKeysByExternalId('kw-abc-1').length, 2, 'a retried create makes a second key');
});

test('a renewal adds the period to the expiry, also in grace (003); past grace it starts today; sublicenses have no grace (002)', (t) => {
  let now = new Date('2021-01-10T00:00:00Z');
  const ka = new LicenseAuthority({ demo: true, clock: () => now });
  for (const product of SUBSCRIPTION_PRODUCTS) ka.addProduct(product);
  const main = ka.createKey(client, { productId: 'RAS-SUBSCRIPTION', quota: 10, periodMonths: 1, server }).main;
  const sub = ka.createKey(client, {
    productId: 'RAS-SUBLICENSE',
    parentKeyNumber: main.keyNumber,
    reserves: { users: 2 },
  }).main;
  t.is(main.expiresAt.toISOString(), '2021-02-10T00:00:00.000Z');
  // Early: a year on 2021-02-10 is 2022-02-10, whatever the date today.
  t.is(ka.renewKey(client, main.keyNumber, 12).expiresAt.toISOString(), '2022-02-10T00:00:00.000Z');
  now = new Date('2022-03-01T00:00:00Z');
  t.is(ka.keyStatus(main.keyNumber), 'grace');
  t.is(ka.keyStatus(sub.keyNumber), 'expired', 'a sublicense has no grace');
  t.is(ka.renewKey(client, main.keyNumber, 12).expiresAt.toISOString(), '2023-02-10T00:00:00.000Z');
  t.is(ka.keyStatus(main.keyNumber), 'active');
  now = new Date('2023-06-01T00:00:00Z');
  t.is(ka.keyStatus(main.keyNumber), 'expired');
  t.is(
    ka.renewKey(client, main.keyNumber, 1).expiresAt.toISOString(),
    '2023-07-01T00:00:00.000Z',
    'lapsed: from today',
  );
  t.is(t.throws(() => ka.renewKey(client, main.keyNumber, 6), { instanceOf: AuthorityError })?.code, 'bad_request');
});

test('a lease renews itself, month by month on the clock, with a new revision, until terminated', (t) => {
  const ka = new LicenseAuthority({ demo: true, clock: () => new Date('2026-01-31T12:00:00Z') });
  const lease = ka.createKey(client, {
    productId: 'PLESK-12-WEB-PRO',
    termKind: 'lease',
    billingType: 'LEASE',
    server,
  }).main;
  t.like(lease, { termKind: 'lease', periodMonths: 1, revision: '0000' });
  t.is(
    lease.expiresAt.toISOString(),
    '2026-02-28T12:00:00.000Z',
    'a month from Jan 31 ends on the last day of February',
  );
  ka.advanceClock(70 * 24 * 60 * 60 * 1000);
  t.is(ka.now().toISOString(), '2026-04-11T12:00:00.000Z');
  const renewed = ka.getKey(lease.keyNumber);
  t.is(renewed.expiresAt.toISOString(), '2026-04-28T12:00:00.000Z');
  t.is(renewed.revision, '0002', 'one new file per lease period');
  ka.terminateKey(client, lease.keyNumber);
  ka.advanceClock(60 * 24 * 60 * 60 * 1000);
  t.is(ka.getKey(lease.keyNumber).revision, '0002', 'a terminated lease is not renewed');
  t.throws(() => ka.advanceClock(-1), { instanceOf: AuthorityError });
});

function rasAuthority(clock: () => Date = () => new Date()): LicenseAuthority {
  const ka = new LicenseAuthority({ demo: true, clock });
  for (const product of SUBSCRIPTION_PRODUCTS) ka.addProduct(product);
  return ka;
}

test('additional keys reserve quota exclusively, and a refusal names what is left in a structured field', (t) => {
  const ka = rasAuthority();
  const main = ka.createKey(client, { productId: 'RAS-SUBSCRIPTION', quota: 10, server }).main;
  const sub = ka.createAdditionalKey(client, main.keyNumber, { quota: 4, name: 'Sales', externalId: 'kw-sub-1' });
  t.is(sub.kind, 'ADDITIONAL');
  t.is(sub.productId, 'RAS-SUBLICENSE', 'the sublicense type of the parent is found');
  t.is(sub.name, 'Sales');
  t.true(sub.renewWithParent, 'without an expiry of its own it renews with its subscription');
  t.is(ka.reservedQuota(main.keyNumber), 4);
  t.is(ka.remainingQuota(main.keyNumber).users, 6);
  const refused = t.throws(() => ka.createAdditionalKey(client, main.keyNumber, { quota: 7 }), {
    instanceOf: AuthorityError,
  });
  t.is(refused?.code, 'quota_exceeded');
  t.deepEqual(refused?.quota, { unit: 'users', remaining: 6 });
  // Modify: up to its own reservation plus what is left.
  t.is(ka.modifyAdditionalKey(client, sub.keyNumber, { quota: 10, name: 'All' }).reserves?.users, 10);
  t.is(
    t.throws(() => ka.modifyAdditionalKey(client, sub.keyNumber, { quota: 11 }), { instanceOf: AuthorityError })?.quota
      ?.remaining,
    10,
  );
  const lowered = t.throws(() => ka.changeQuota(client, main.keyNumber, 9), { instanceOf: AuthorityError });
  t.deepEqual(lowered?.quota, { unit: 'users', reserved: 10 });
  // Delete: deactivates its farm, returns its reservation.
  ka.activateKey(client, sub.keyNumber, 'srv-sub', { farmName: 'Sales farm' });
  t.true(ka.deleteAdditionalKey(client, sub.keyNumber).changed);
  t.false(ka.deleteAdditionalKey(client, sub.keyNumber).changed);
  const deleted = ka.getKey(sub.keyNumber);
  t.true(deleted.terminated);
  t.is(deleted.farms[0]?.status, 'deactivated');
  t.is(ka.reservedQuota(main.keyNumber), 0);
  t.false(ka.getKey(main.keyNumber).additionalKeyNumbers.includes(sub.keyNumber));
  t.is(
    t.throws(() => ka.deleteAdditionalKey(client, main.keyNumber), { instanceOf: AuthorityError })?.code,
    'type_conflict',
  );
});

test('an additional key has no grace (002): one day past its expiry it is expired while its primary is in grace', (t) => {
  let now = new Date('2024-01-01T00:00:00Z');
  const ka = rasAuthority(() => now);
  const main = ka.createKey(client, { productId: 'RAS-SUBSCRIPTION', quota: 5, periodMonths: 1, server }).main;
  const follows = ka.createAdditionalKey(client, main.keyNumber, { quota: 1 });
  const own = ka.createAdditionalKey(client, main.keyNumber, { quota: 1, expiresAt: new Date('2024-01-15T00:00:00Z') });
  now = new Date('2024-01-16T00:00:00Z');
  t.is(ka.keyStatus(own.keyNumber), 'expired');
  t.is(t.throws(() => ka.keyFile(own.keyNumber), { instanceOf: AuthorityError })?.code, 'expired');
  now = new Date('2024-02-02T00:00:00Z');
  t.is(ka.keyStatus(main.keyNumber), 'grace');
  t.is(ka.keyStatus(follows.keyNumber), 'expired', 'the same expiry as its primary, but no grace');
  t.is(ka.graceEnd(ka.getKey(follows.keyNumber)).getTime(), ka.getKey(follows.keyNumber).expiresAt.getTime());
});

test('a farm reports every 20 minutes of the clock with its peak usage, moves at most 3 times, and deactivates', (t) => {
  let now = new Date('2024-01-01T00:00:00Z');
  const ka = rasAuthority(() => now);
  const main = ka.createKey(client, { productId: 'RAS-SUBSCRIPTION', quota: 5, server }).main;
  ka.activateKey(client, main.keyNumber, 'srv-1', { farmName: 'HQ', appVersion: '19.2', usage: 2 });
  ka.setFarmUsage(client, main.keyNumber, 7);
  now = new Date('2024-01-01T00:19:00Z');
  t.is(ka.getKey(main.keyNumber).farms[0]?.peakUsage, 2, 'no report before 20 minutes');
  now = new Date('2024-01-01T00:45:00Z');
  const [farm] = ka.getKey(main.keyNumber).farms;
  t.is(farm?.peakUsage, 7);
  t.is(farm?.lastReportAt.toISOString(), '2024-01-01T00:40:00.000Z');
  t.like(farm, { serverId: 'srv-1', farmName: 'HQ', appVersion: '19.2', status: 'active' });
  ka.setFarmUsage(client, main.keyNumber, 1);
  now = new Date('2024-01-01T01:05:00Z');
  t.is(ka.getKey(main.keyNumber).farms[0]?.peakUsage, 7, 'the peak stays');
  for (const srv of ['srv-2', 'srv-3', 'srv-4']) {
    t.true(ka.deactivateKey(client, main.keyNumber).changed);
    ka.activateKey(client, main.keyNumber, srv);
  }
  const key = ka.getKey(main.keyNumber);
  t.is(key.activation.moves, 3);
  t.deepEqual(
    key.farms.map((f) => f.status),
    ['deactivated', 'deactivated', 'deactivated', 'active'],
  );
  ka.deactivateKey(client, main.keyNumber);
  t.false(ka.deactivateKey(client, main.keyNumber).changed, 'already free');
  t.is(
    t.throws(() => ka.activateKey(client, main.keyNumber, 'srv-5'), { instanceOf: AuthorityError })?.code,
    'activation_limit',
  );
  t.is(
    t.throws(() => ka.setFarmUsage(client, main.keyNumber, 3), { instanceOf: AuthorityError })?.code,
    'not_activated',
  );
});
