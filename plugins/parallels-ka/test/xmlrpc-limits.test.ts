import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { type AdapterContext, KaError, type LicenseOrder } from '../../../src/plugin-sdk/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin from '../index.js';
import { startReferenceXmlRpcKa } from '../src/reference-server.js';
import type { XmlRpcKaAdapter } from '../src/xmlrpc-ka-adapter.js';

const context: AdapterContext = {
  logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  clock: () => new Date(),
};

const order: LicenseOrder = {
  requestId: 'r1',
  reference: 'kw-req-1',
  product: 'PLESK-12-WEB-HOST',
  features: [],
  quantity: 1,
  server: { ips: ['192.0.2.44'], macs: [] },
};

const HEAD = '<?xml version="1.0"?><methodResponse><params><param><value>';
const TAIL = '</value></param></params></methodResponse>';

/** Arrays nested as deep as `bytes` allows: what the fault campaign sent. */
function nestedAnswer(bytes: number): string {
  const open = '<array><data><value>';
  const close = '</value></data></array>';
  const levels = Math.floor((bytes - HEAD.length - TAIL.length) / (open.length + close.length));
  return `${HEAD}${open.repeat(levels)}x${close.repeat(levels)}${TAIL}`;
}

const flatAnswer = (item: string, count: number): string =>
  `${HEAD}<array><data>${item.repeat(count)}</data></array>${TAIL}`;

/** A real HTTP server that answers every POST with `body`. */
async function hostileKa(body: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/xml' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function adapterFor(url: string, extra: Record<string, unknown> = {}): XmlRpcKaAdapter {
  return plugin.createAdapter({ endpoint: url, login: 'p', password: 'secret', ...extra }, context) as XmlRpcKaAdapter;
}

test('a deeply nested createKey answer under the size cap is refused for its depth, outcome unknown', async (t) => {
  const ka = await hostileKa(nestedAnswer(900 * 1024));
  try {
    const error = await t.throwsAsync(adapterFor(ka.url).issueKey(order), { instanceOf: KaError });
    t.is(error?.code, 'protocol');
    t.regex(error?.message ?? '', /nesting depth/);
    t.false(error?.retryable, 'the same call gets the same answer');
    t.true(error?.outcomeUnknown, 'createKey was received: the KA may have acted');
  } finally {
    await ka.close();
  }
});

test('a flat answer of 100k values is refused for its element count; a read-only call knows its outcome', async (t) => {
  const ka = await hostileKa(flatAnswer('<value/>', 100_000));
  try {
    const error = await t.throwsAsync(adapterFor(ka.url).getKeyInfo('PLSK.00000001'), { instanceOf: KaError });
    t.is(error?.code, 'protocol');
    t.regex(error?.message ?? '', /element count/);
    t.false(error?.retryable);
    t.false(error?.outcomeUnknown);
  } finally {
    await ka.close();
  }
});

test("with the cap raised to the old 4 MiB, the campaign's answers are still refused by the parse limits", async (t) => {
  for (const [body, limit] of [
    [nestedAnswer(3.9 * 1024 * 1024), /nesting depth/],
    [flatAnswer('<value><int>1</int></value>', 100_000), /element count/],
    [`${HEAD}<string>${'k'.repeat(600 * 1024)}</string>${TAIL}`, /text length/],
  ] as const) {
    const ka = await hostileKa(body);
    try {
      const error = await t.throwsAsync(
        adapterFor(ka.url, { maxResponseBytes: 4 * 1024 * 1024 }).terminate('PLSK.00000001'),
        { instanceOf: KaError },
      );
      t.is(error?.code, 'protocol');
      t.regex(error?.message ?? '', limit);
      t.true(error?.outcomeUnknown);
    } finally {
      await ka.close();
    }
  }
});

test('the default response cap is 1 MiB', async (t) => {
  const ka = await hostileKa(`${HEAD}<string>${'k'.repeat(1024 * 1024)}</string>${TAIL}`);
  try {
    const error = await t.throwsAsync(adapterFor(ka.url).testConnection(), { instanceOf: KaError });
    t.is(error?.code, 'response_too_large');
  } finally {
    await ka.close();
  }
  t.is(plugin.definition.settings.find((s) => s.name === 'maxResponseBytes')?.default, 1024 * 1024);
});

test('a large legitimate getKeyNumbers answer (1,500 keys on one server) still parses', async (t) => {
  const ka = await startReferenceXmlRpcKa();
  try {
    const server = { ips: ['192.0.2.80'], macs: [] };
    for (let i = 0; i < 1500; i++)
      ka.authority.createKey(DEMO_ACCOUNT.clientId, { productId: 'PLESK-12-WEB-HOST', server });
    const adapter = plugin.createAdapter(
      { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password, clientId: DEMO_ACCOUNT.clientId },
      context,
    ) as XmlRpcKaAdapter;
    const answer = await adapter.call('getKeyNumbers', [server]);
    t.is((answer.keyNumbers as unknown[]).length, 1500);
    t.is((answer.keyInfos as unknown[]).length, 1500);
    const first = (answer.keyInfos as Array<Record<string, unknown>>)[0];
    t.is(first?.keyType, 'PLESK-12-WEB-HOST');
    t.true(first?.createDate instanceof Date);
  } finally {
    await ka.close();
  }
});

test('the reference KA plays hostile answers armed through its admin surface; the adapter refuses them', async (t) => {
  const ka = await startReferenceXmlRpcKa();
  try {
    const arm = (body: unknown) => fetch(`${ka.url}/_reference/faults`, { method: 'POST', body: JSON.stringify(body) });
    t.is((await arm({ method: 'createKey', fault: { kind: 'hostile', shape: 'spiral' } })).status, 400);
    t.is(
      (await arm({ method: 'partner10.createKey', fault: { kind: 'hostile', shape: 'nested' }, times: 1 })).status,
      201,
    );
    t.is(
      (await arm({ method: 'getKeyInfo', fault: { kind: 'hostile', shape: 'flat', bytes: 900_000 }, times: 1 })).status,
      201,
    );
    const adapter = plugin.createAdapter(
      { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password, clientId: DEMO_ACCOUNT.clientId },
      context,
    ) as XmlRpcKaAdapter;
    const nested = await t.throwsAsync(adapter.issueKey(order), { instanceOf: KaError });
    t.regex(nested?.message ?? '', /nesting depth/);
    t.true(nested?.outcomeUnknown);
    const keys = ka.authority.listKeys().map((k) => k.keyNumber);
    t.is(keys.length, 1, 'the hostile answer came after the KA made the key');
    const keyNumber = keys[0] ?? '';
    const flat = await t.throwsAsync(adapter.getKeyInfo(keyNumber), { instanceOf: KaError });
    t.regex(flat?.message ?? '', /element count/);
    t.is((await adapter.getKeyInfo(keyNumber)).keyNumber, keyNumber);
  } finally {
    await ka.close();
  }
});
