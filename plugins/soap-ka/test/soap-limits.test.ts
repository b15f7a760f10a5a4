import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { type AdapterContext, KaError, type LicenseOrder } from '../../../src/plugin-sdk/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin from '../index.js';
import { startReferenceSoapKa } from '../src/reference-server.js';

const context: AdapterContext = {
  logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  clock: () => new Date(),
};

const order: LicenseOrder = {
  requestId: 'r1',
  reference: 'kw-soap-1',
  product: 'RAS-SUBSCRIPTION',
  features: [],
  quantity: 5,
  periodMonths: 12,
};

const envelope = (operation: string, inner: string): string =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${operation}Response xmlns="urn:keyway:ka:subscription:1">${inner}</${operation}Response></soap:Body></soap:Envelope>`;

/** Elements nested as deep as `bytes` allows. */
function nested(operation: string, bytes: number): string {
  const levels = Math.floor(bytes / '<Key></Key>'.length);
  return envelope(operation, `${'<Key>'.repeat(levels)}${'</Key>'.repeat(levels)}`);
}

/** A real HTTP server that answers every POST with `body`. */
async function hostileKa(body: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/soap`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

const adapterFor = (url: string, extra: Record<string, unknown> = {}) =>
  plugin.createAdapter({ endpoint: url, login: 'p', password: 'secret', ...extra }, context);

test('a deeply nested CreateKey answer is refused for its depth before the soap client parses it, outcome unknown', async (t) => {
  const ka = await hostileKa(nested('CreateKey', 200 * 1024));
  try {
    const error = await t.throwsAsync(adapterFor(ka.url).issueKey(order), { instanceOf: KaError });
    t.is(error?.code, 'protocol');
    t.regex(error?.message ?? '', /nesting depth/);
    t.false(error?.retryable);
    t.true(error?.outcomeUnknown);
  } finally {
    await ka.close();
  }
});

test('a flat answer of 100k elements is refused for its element count; a read-only call knows its outcome', async (t) => {
  const ka = await hostileKa(envelope('ListProducts', '<K/>'.repeat(100_000)));
  try {
    const adapter = adapterFor(ka.url, { maxResponseBytes: 512 * 1024 });
    const error = await t.throwsAsync(async () => adapter.listProducts?.(), { instanceOf: KaError });
    t.is(error?.code, 'protocol');
    t.regex(error?.message ?? '', /element count/);
    t.false(error?.retryable);
    t.false(error?.outcomeUnknown);
  } finally {
    await ka.close();
  }
});

test('the SOAP response cap defaults to 256 KiB, and the console accepts at most 512 KiB', async (t) => {
  const ka = await hostileKa(envelope('Ping', `<ServerTime>${'x'.repeat(300 * 1024)}</ServerTime>`));
  try {
    const error = await t.throwsAsync(adapterFor(ka.url).testConnection(), { instanceOf: KaError });
    t.is(error?.code, 'response_too_large');
  } finally {
    await ka.close();
  }
  const setting = plugin.definition.settings.find((s) => s.name === 'maxResponseBytes');
  t.is(setting?.default, 256 * 1024);
  t.is(setting?.max, 512 * 1024);
});

test('a configuration stored with the old 4 MiB cap still refuses a SOAP answer past 512 KiB', async (t) => {
  const ka = await hostileKa(
    envelope('Ping', `${'<ServerTime>x</ServerTime>'.repeat(20)}${'<!-- padding -->'.repeat(80_000)}`),
  );
  try {
    const error = await t.throwsAsync(adapterFor(ka.url, { maxResponseBytes: 4 * 1024 * 1024 }).testConnection(), {
      instanceOf: KaError,
    });
    t.is(error?.code, 'protocol');
    t.regex(error?.message ?? '', /size limit/);
  } finally {
    await ka.close();
  }
});

test('a large legitimate ListProducts answer (150 key types with 10 features each) still parses', async (t) => {
  const ka = await startReferenceSoapKa();
  try {
    for (let i = 0; i < 150; i++) {
      ka.authority.addProduct({
        id: `BULK-${i}`,
        name: `Bulk product ${i}`,
        prefix: 'BULK',
        kind: 'MAIN',
        family: 'ras',
        versions: '*',
        termMonths: 12,
        updatesMonths: null,
        limits: {},
        features: Array.from({ length: 10 }, (_, f) => ({ id: `BULK-${i}-F${f}`, name: `Feature ${f}` })),
      });
    }
    const adapter = plugin.createAdapter(
      { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password },
      context,
    );
    const products = (await adapter.listProducts?.()) ?? [];
    t.true(products.length >= 150);
    t.is(products.find((p) => p.id === 'BULK-149')?.features.length, 10);
  } finally {
    await ka.close();
  }
});

test('the reference SOAP KA plays hostile answers armed through its admin surface; the adapter refuses them', async (t) => {
  const ka = await startReferenceSoapKa();
  try {
    const admin = (method: string, body?: unknown) =>
      fetch(`${new URL(ka.url).origin}/_reference/faults`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    t.is((await admin('POST', { method: 'CreateKey', fault: { kind: 'hostile', shape: 'spiral' } })).status, 400);
    t.is(
      (
        await admin('POST', {
          method: 'CreateKey',
          fault: { kind: 'hostile', shape: 'nested', bytes: 200_000 },
          times: 1,
        })
      ).status,
      201,
    );
    t.is(
      (
        await admin('POST', {
          method: 'ListProducts',
          fault: { kind: 'hostile', shape: 'flat', bytes: 200_000 },
          times: 1,
        })
      ).status,
      201,
    );
    t.deepEqual(
      ((await (await admin('GET')).json()) as Array<{ operation: string }>).map((f) => f.operation),
      ['CreateKey', 'ListProducts'],
    );
    const adapter = plugin.createAdapter(
      { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password },
      context,
    );
    const nested = await t.throwsAsync(adapter.issueKey(order), { instanceOf: KaError });
    t.regex(nested?.message ?? '', /nesting depth/);
    t.true(nested?.outcomeUnknown);
    t.is(
      ka.authority.findKeysByExternalId(order.reference).length,
      1,
      'the hostile answer came after the KA made the key',
    );
    const flat = await t.throwsAsync(async () => adapter.listProducts?.(), { instanceOf: KaError });
    t.regex(flat?.message ?? '', /element count/);
    t.true(((await adapter.listProducts?.()) ?? []).length > 0);
  } finally {
    await ka.close();
  }
});
