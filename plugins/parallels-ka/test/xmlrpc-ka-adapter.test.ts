import test from 'ava';
import { type AdapterContext, KaError, type LicenseOrder } from '../../../src/plugin-sdk/index.js';
import { DEMO_ACCOUNT, parseReferenceKeyFile, verifyReferenceKeyFile } from '../../../src/reference-ka/index.js';
import plugin from '../index.js';
import { classifyResultCode } from '../src/ka-result-codes.js';
import { startReferenceXmlRpcKa } from '../src/reference-server.js';
import { referenceNote } from '../src/xmlrpc-ka-adapter.js';

const logs: string[] = [];
const context: AdapterContext = {
  logger: {
    debug: (o, m) => logs.push(JSON.stringify(o) + (m ?? '')),
    info: (o, m) => logs.push(JSON.stringify(o) + (m ?? '')),
    warn: (o, m) => logs.push(JSON.stringify(o) + (m ?? '')),
    error: (o, m) => logs.push(JSON.stringify(o) + (m ?? '')),
  },
  clock: () => new Date(),
};

const order = (overrides: Partial<LicenseOrder> = {}): LicenseOrder => ({
  requestId: 'r1',
  reference: 'kw-req-1',
  product: 'PLESK-12-WEB-HOST',
  features: [],
  quantity: 1,
  server: { ips: ['192.0.2.44'], macs: [] },
  ...overrides,
});

async function setup() {
  const ka = await startReferenceXmlRpcKa();
  const adapter = plugin.createAdapter(
    { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password, clientId: DEMO_ACCOUNT.clientId },
    context,
  );
  return { ka, adapter };
}

test('result codes map to retryable or permanent as ka-protocol.md says', (t) => {
  t.deepEqual(classifyResultCode(200), { code: 'auth_failed', retryable: false });
  t.deepEqual(classifyResultCode(220), { code: 'not_found', retryable: false });
  t.deepEqual(classifyResultCode(287), { code: 'ka_internal', retryable: true });
  t.deepEqual(classifyResultCode(300), { code: 'ka_internal', retryable: true });
  t.deepEqual(classifyResultCode(272), { code: 'business_rule', retryable: false });
  t.deepEqual(classifyResultCode(440), { code: 'bad_request', retryable: false });
});

test('an order with an add-on key type uses createKey form D and files come for both keys', async (t) => {
  const { ka, adapter } = await setup();
  const key = await adapter.issueKey(order({ features: ['FT-POWER-PACK', 'KAV-ADDON'] }));
  t.is(key.additionalKeyNumbers.length, 1);
  const stored = ka.authority.getKey(key.keyNumber);
  t.deepEqual(stored.features, ['FT-POWER-PACK']);
  t.is(stored.note, 'keyway request kw-req-1');
  const files = await adapter.retrieveFiles(key);
  t.deepEqual(
    files.map((f) => f.fileName),
    [`${key.keyNumber}.xml`, `${key.additionalKeyNumbers[0]}.xml`],
  );
  t.true(verifyReferenceKeyFile(files[0]?.content ?? '', ka.authority.publicKeyPem));
  t.is((await parseReferenceKeyFile(files[0]?.content ?? '')).keyNumber, key.keyNumber);
  await ka.close();
});

test('lifecycle: products, key info, upgrade, renew, terminate', async (t) => {
  const { ka, adapter } = await setup();
  const products = (await adapter.listProducts?.()) ?? [];
  t.true(products.some((p) => p.id === 'PLESK-12-WEB-HOST'));
  const key = await adapter.issueKey(order());
  const upgraded = await adapter.upgrade?.(key.keyNumber, ['FT-100-DOMAINS', 'FT-100-DOMAINS']);
  t.is(upgraded?.keyNumber, key.keyNumber);
  const info = await adapter.getKeyInfo?.(key.keyNumber);
  t.deepEqual(info?.features, ['FT-100-DOMAINS']);
  t.is(info?.product, 'PLESK-12-WEB-HOST');
  const renewed = await adapter.renew?.(key.keyNumber);
  t.true((renewed?.expiresAt?.getTime() ?? 0) > (key.expiresAt?.getTime() ?? 0));
  await adapter.terminate?.(key.keyNumber);
  await adapter.terminate?.(key.keyNumber); // 110 already terminated: fine
  t.true((await adapter.getKeyInfo?.(key.keyNumber))?.terminated);
  await ka.close();
});

test('lookup without a server address is ambiguous; with one it lists the candidates, their notes, and tags none', async (t) => {
  const { ka, adapter } = await setup();
  const noServer = await adapter.findKeyByRef(order({ server: undefined }), new Date());
  t.is(noServer.status, 'ambiguous');
  const sentAt = new Date();
  const created = [0, 1].map(
    () =>
      ka.authority.createKey(DEMO_ACCOUNT.clientId, {
        productId: 'PLESK-12-WEB-HOST',
        server: { ips: ['192.0.2.44'], macs: [] },
      }).main.keyNumber,
  );
  ka.authority.addNote(DEMO_ACCOUNT.clientId, created[1] as string, referenceNote('kw-other-7'));
  const lookup = await adapter.findKeyByRef(order(), sentAt);
  t.is(lookup.status, 'candidates');
  if (lookup.status === 'candidates') {
    t.deepEqual(
      lookup.keys.map((k) => [k.keyNumber, k.reference, k.product]),
      [
        [created[0], undefined, 'PLESK-12-WEB-HOST'],
        [created[1], 'kw-other-7', 'PLESK-12-WEB-HOST'],
      ],
    );
  }
  // Reading never claims: the first key still has no note.
  const again = await adapter.findKeyByRef(order(), sentAt);
  t.true(again.status === 'candidates' && again.keys[0]?.reference === undefined);
  await ka.close();
});

test('the password never appears in errors or logs, even when the KA echoes it', async (t) => {
  const { ka, adapter } = await setup();
  ka.authority.injectFault('createKey', { kind: 'result', code: 300, message: `busy for ${DEMO_ACCOUNT.password}` });
  const error = await t.throwsAsync(adapter.issueKey(order()), { instanceOf: KaError });
  t.false(JSON.stringify(error?.toJSON()).includes(DEMO_ACCOUNT.password));
  t.false(logs.some((line) => line.includes(DEMO_ACCOUNT.password)));
  await ka.close();
});

test('missing settings fail with a permanent error naming the setting', (t) => {
  const error = t.throws(() => plugin.createAdapter({ endpoint: 'http://127.0.0.1:1', login: 'x' }, context), {
    instanceOf: KaError,
  });
  t.is(error?.code, 'bad_request');
  t.regex(error?.message ?? '', /password/);
});

test('an oversize answer is refused without reading it all', async (t) => {
  const ka = await startReferenceXmlRpcKa();
  const adapter = plugin.createAdapter(
    { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password, maxResponseBytes: 64 * 1024 },
    context,
  );
  ka.authority.injectFault('validateLogin', { kind: 'oversize', bytes: 1024 * 1024 }, { times: 1 });
  const error = await t.throwsAsync(adapter.testConnection(), { instanceOf: KaError });
  t.is(error?.code, 'response_too_large');
  t.false(error?.retryable);
  t.true((await adapter.testConnection()).ok);
  await ka.close();
});
