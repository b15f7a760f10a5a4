import test from 'ava';
import type { LicenseSummary } from '../../../src/features/licenses/license.js';
import { compareWithKa } from '../../../src/features/license-sync/sync-comparison.js';
import type { KeyInfo } from '../../../src/plugin-sdk/ka-adapter.js';

const expiry = '2031-01-01T00:00:00.000Z';
const license = (over: Partial<LicenseSummary> = {}): LicenseSummary => ({
  id: 1,
  requestId: 7,
  configurationId: 1,
  subscriptionId: 1,
  customerId: 1,
  keyNumber: 'KEY.1',
  fullKeyNumber: null,
  productKey: null,
  product: 'P',
  features: ['a', 'b'],
  additionalKeyNumbers: [],
  status: 'installed',
  source: 'online',
  expiresAt: expiry,
  updatesUntil: null,
  installedAt: expiry,
  createdAt: expiry,
  startsAt: null,
  termKind: 'term',
  periodMonths: 12,
  keyExpiresAt: expiry,
  revision: '0001',
  refreshDueAt: null,
  suspendedInKeywayOnly: false,
  sync: { state: null, lastSyncedAt: null, differences: [] },
  quota: null,
  quotaUnit: null,
  quotaReserved: null,
  keyType: 'primary',
  parentLicenseId: null,
  keyName: null,
  renewsWithSubscription: null,
  decreasesUsed: 0,
  predecessorLicenseId: null,
  successorLicenseId: null,
  ...over,
});
const info = (over: Partial<KeyInfo> = {}): KeyInfo => ({
  keyNumber: 'KEY.1',
  product: 'P',
  terminated: false,
  suspended: false,
  features: ['b', 'a'],
  additionalKeyNumbers: [],
  expiresAt: new Date(expiry),
  revision: '0001',
  ...over,
});

test('the same facts, in any order and to the second, are in sync', (t) => {
  const result = compareWithKa(license(), info({ expiresAt: new Date(Date.parse(expiry) + 400) }));
  t.deepEqual(result, { automatic: [], terminated: false, refresh: false, differences: [] });
});

test('a key terminated at the KA is followed and nothing else is compared', (t) => {
  const result = compareWithKa(license(), info({ terminated: true, features: [] }));
  t.true(result.terminated);
  t.deepEqual(result.automatic, [{ field: 'status', ka: 'terminated', keyway: 'active' }]);
  t.deepEqual(result.differences, []);
});

test('a later expiry is a renewal at the KA for a term, a refresh for a lease; an earlier one is a difference', (t) => {
  const later = new Date('2032-01-01T00:00:00Z');
  const term = compareWithKa(license(), info({ expiresAt: later, updatesUntil: later, revision: '0002' }));
  t.deepEqual(term.renewed, { keyExpiresAt: later.getTime(), updatesUntil: later.getTime() });
  t.true(term.refresh);
  t.deepEqual(
    term.automatic.map((d) => d.field),
    ['keyExpiresAt', 'updatesUntil', 'revision'],
  );
  t.deepEqual(term.differences, []);
  const lease = compareWithKa(license({ termKind: 'lease' }), info({ expiresAt: later }));
  t.is(lease.renewed, undefined);
  t.true(lease.refresh);
  const earlier = compareWithKa(license(), info({ expiresAt: new Date('2030-06-01T00:00:00Z') }));
  t.deepEqual(earlier.differences, [{ field: 'keyExpiresAt', ka: '2030-06-01T00:00:00.000Z', keyway: expiry }]);
});

test('a later expiry of a lease with no request (an additional key) is left to staff: nothing would apply it', (t) => {
  const later = new Date('2031-02-01T00:00:00Z');
  const result = compareWithKa(license({ termKind: 'lease', requestId: null }), info({ expiresAt: later }));
  t.deepEqual(result.automatic, []);
  t.false(result.refresh);
  t.is(result.renewed, undefined);
  t.deepEqual(result.differences, [{ field: 'keyExpiresAt', ka: later.toISOString(), keyway: expiry }]);
});

test('status, features and additional keys that differ are left to staff; a license suspended in Keyway only is active at the KA', (t) => {
  const result = compareWithKa(license(), info({ suspended: true, features: ['a'], additionalKeyNumbers: ['KEY.2'] }));
  t.deepEqual(result.differences, [
    { field: 'status', ka: 'suspended', keyway: 'active' },
    { field: 'features', ka: ['a'], keyway: ['a', 'b'] },
    { field: 'additionalKeyNumbers', ka: ['KEY.2'], keyway: [] },
  ]);
  t.deepEqual(compareWithKa(license({ status: 'suspended', suspendedInKeywayOnly: true }), info()).differences, []);
});

test('a license terminated in Keyway is compared by status only', (t) => {
  const result = compareWithKa(license({ status: 'terminated' }), info({ features: [] }));
  t.deepEqual(result.differences, [{ field: 'status', ka: 'active', keyway: 'terminated' }]);
});

test('a new revision of a hand-made license (no request to fetch through) is a difference', (t) => {
  const result = compareWithKa(license({ requestId: null }), info({ revision: '0002' }));
  t.false(result.refresh);
  t.deepEqual(result.differences, [{ field: 'revision', ka: '0002', keyway: '0001' }]);
});
