import test from 'ava';
import { type AdapterContext, KaError, type LicenseOrder } from '../../../src/plugin-sdk/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin from '../index.js';
import type { SoapKaAdapter } from '../src/soap-ka-adapter.js';
import { startReferenceSoapKa } from '../src/reference-server.js';

const context: AdapterContext = { logger: { debug() {}, info() {}, warn() {}, error() {} }, clock: () => new Date() };

const order = (reference: string): LicenseOrder => ({
  requestId: reference,
  reference,
  product: 'RAS-SUBSCRIPTION',
  features: [],
  quantity: 25,
  periodMonths: 12,
});

async function rig() {
  const ka = await startReferenceSoapKa();
  const adapter = plugin.createAdapter(
    { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password, timeoutMs: 2000 },
    context,
  ) as SoapKaAdapter;
  return { ka, adapter };
}

test('issueKey sells the ordered quantity as the quota of users for the ordered period', async (t) => {
  const { ka, adapter } = await rig();
  try {
    const key = await adapter.issueKey(order('kw-req-a'));
    const stored = ka.authority.getKey(key.keyNumber);
    t.is(stored.limits.users, 25);
    t.is(stored.periodMonths, 12);
    t.is(stored.externalId, 'kw-req-a');
    t.truthy(key.productKey);
    t.true((key.expiresAt?.getTime() ?? 0) > Date.now() + 300 * 86_400_000);
  } finally {
    await ka.close();
  }
});

test('findKeyByRef is ambiguous when the KA holds two primary keys with our external id', async (t) => {
  const { ka, adapter } = await rig();
  try {
    await adapter.issueKey(order('kw-req-b'));
    // Another product under the same external id: only possible by hand at the KA.
    ka.authority.addProduct({ ...ka.authority.getProduct('RAS-SUBSCRIPTION'), id: 'RAS-OTHER' });
    ka.authority.createKey(DEMO_ACCOUNT.clientId, { productId: 'RAS-OTHER', externalId: 'kw-req-b', quota: 1 });
    const lookup = await adapter.findKeyByRef(order('kw-req-b'), new Date());
    t.is(lookup.status, 'ambiguous');
    if (lookup.status === 'ambiguous') t.is(lookup.candidates.length, 2);
  } finally {
    await ka.close();
  }
});

test('lifecycle: products, key info, renew, quota, suspend, resume, terminate', async (t) => {
  const { ka, adapter } = await rig();
  try {
    const products = await adapter.listProducts();
    t.true(products.some((p) => p.id === 'RAS-SUBSCRIPTION'));
    t.false(
      products.some((p) => p.id === 'RAS-SUBLICENSE'),
      'sublicense types are not sold on their own',
    );
    const key = await adapter.issueKey(order('kw-req-c'));
    const renewed = await adapter.renew(key.keyNumber);
    t.true((renewed.expiresAt?.getTime() ?? 0) > (key.expiresAt?.getTime() ?? 0));
    t.is(
      ka.authority.getKey((await adapter.changeQuantity(key.keyNumber, { quantity: 40 })).keyNumber).limits.users,
      40,
    );
    await adapter.suspend(key.keyNumber);
    t.true((await adapter.getKeyInfo(key.keyNumber)).suspended);
    await adapter.resume(key.keyNumber);
    t.false((await adapter.getKeyInfo(key.keyNumber)).suspended);
    await adapter.terminate(key.keyNumber);
    const info = await adapter.getKeyInfo(key.keyNumber);
    t.true(info.terminated);
    t.is(info.product, 'RAS-SUBSCRIPTION');
  } finally {
    await ka.close();
  }
});

test("KA refusals map to KaError codes with the fault's retryable flag", async (t) => {
  const { ka, adapter } = await rig();
  try {
    const missing = await t.throwsAsync(adapter.getKeyInfo('RAS.99999999'), { instanceOf: KaError });
    t.is(missing?.code, 'not_found');
    t.is(missing?.kaResultCode, 'KEY_NOT_FOUND');
    t.false(missing?.retryable);
    ka.authority.injectFault('CreateKey', { kind: 'result', code: 'INTERNAL_ERROR' }, { times: 1 });
    const internal = await t.throwsAsync(adapter.issueKey(order('kw-req-d')), { instanceOf: KaError });
    t.is(internal?.code, 'ka_internal');
    t.true(internal?.retryable);
    t.false(internal?.outcomeUnknown);
    const wrongProduct = await t.throwsAsync(adapter.issueKey({ ...order('kw-req-e'), product: 'NOPE' }), {
      instanceOf: KaError,
    });
    t.is(wrongProduct?.code, 'not_found');
  } finally {
    await ka.close();
  }
});

test('an HTTP error page instead of SOAP is a KaError, never a crash', async (t) => {
  const { ka } = await rig();
  try {
    const adapter = plugin.createAdapter(
      { endpoint: ka.url.replace(/\/soap$/, '/elsewhere'), login: 'a', password: 'Secret-pass-1', timeoutMs: 2000 },
      context,
    );
    const error = await t.throwsAsync(adapter.testConnection(), { instanceOf: KaError });
    t.is(error?.code, 'protocol');
    t.false(error?.retryable);
    t.false(JSON.stringify(error).includes('Secret-pass-1'));
  } finally {
    await ka.close();
  }
});

test('quota, additional keys and farms over SOAP: reserved quota, a refusal naming what is left, farms listed and deactivated', async (t) => {
  const { ka, adapter } = await rig();
  try {
    const key = await adapter.issueKey({ ...order('kw-req-q'), quantity: 10 });
    const bigger = await adapter.changeQuantity(key.keyNumber, { quantity: 12 });
    t.like(bigger, { quota: 12, quotaUnit: 'users', keyType: 'primary', quotaReserved: 0 });
    t.not(bigger.revision, key.revision, 'a new quota is a new file');
    const sub = await adapter.createAdditionalKey(key.keyNumber, { quota: 5, name: 'Sales', reference: 'kw-sub-q' });
    t.like(sub, {
      keyType: 'additional',
      parentKeyNumber: key.keyNumber,
      quota: 5,
      name: 'Sales',
      renewsWithSubscription: true,
    });
    t.is((await adapter.getKeyInfo(key.keyNumber)).quotaReserved, 5);
    const refused = await t.throwsAsync(
      adapter.createAdditionalKey(key.keyNumber, { quota: 8, reference: 'kw-sub-r' }),
      { instanceOf: KaError },
    );
    t.is(refused?.code, 'business_rule');
    t.is(refused?.kaResultCode, 'QUOTA_EXCEEDED');
    t.deepEqual(refused?.quota, { unit: 'users', remaining: 7, reserved: undefined });
    const lowered = await t.throwsAsync(adapter.changeQuantity(key.keyNumber, { quantity: 4 }), {
      instanceOf: KaError,
    });
    t.is(lowered?.quota?.reserved, 5);
    t.like(await adapter.modifyAdditionalKey(sub.keyNumber, { quota: 7, name: 'Sales EU' }), {
      quota: 7,
      name: 'Sales EU',
    });

    ka.authority.activateKey(DEMO_ACCOUNT.clientId, key.keyNumber, 'srv-1', { farmName: 'HQ', appVersion: '19.1' });
    ka.authority.activateKey(DEMO_ACCOUNT.clientId, sub.keyNumber, 'srv-2', { farmName: 'Sales' });
    const farms = await adapter.listActivations(key.keyNumber);
    t.deepEqual(
      farms.map((f) => [f.activationKey, f.farmName, f.status, f.serverId, f.movesUsed, f.movesLeft]),
      [
        [key.keyNumber, 'HQ', 'active', 'srv-1', 0, 3],
        [sub.keyNumber, 'Sales', 'active', 'srv-2', 0, 3],
      ],
    );
    t.is(farms[0]?.appVersion, '19.1');
    t.true(farms[0]?.activatedAt instanceof Date);
    await adapter.deactivate(key.keyNumber, [key.keyNumber]);
    t.is(ka.authority.getKey(key.keyNumber).activation.installationId, undefined, 'the key is free');
    const stranger = await t.throwsAsync(adapter.deactivate(key.keyNumber, ['RAS.99999999']), { instanceOf: KaError });
    t.is(stranger?.code, 'permission_denied');
    await adapter.deleteAdditionalKey(sub.keyNumber);
    const after = await adapter.listActivations(key.keyNumber);
    t.deepEqual(
      after.map((f) => f.status),
      ['deactivated', 'deactivated'],
      'deleting the sublicense deactivated its farm',
    );
    t.is((await adapter.getKeyInfo(key.keyNumber)).quotaReserved, 0);
  } finally {
    await ka.close();
  }
});
