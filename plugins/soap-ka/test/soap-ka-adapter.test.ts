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
    t.is(ka.authority.getKey((await adapter.changeQuota(key.keyNumber, 40)).keyNumber).limits.users, 40);
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
