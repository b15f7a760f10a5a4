import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { apiPath, JsonApiClient, type JsonApiClientOptions } from '../../src/plugin-sdk/json-api-client.js';
import { KaError } from '../../src/plugin-sdk/ka-error.js';
import type { PluginLogger } from '../../src/plugin-sdk/plugin-definition.js';
import { safeFileName } from '../../src/plugin-sdk/file-names.js';
import { retryAfterMs } from '../../src/plugin-sdk/http-status.js';

/** A KA that answers each request with the status, headers and body `answer` picks. */
async function serve(
  answer: (req: http.IncomingMessage) => [number, Record<string, string>, string],
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const [status, headers, body] = answer(req);
      res.writeHead(status, headers).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function client(url: string, logs: string[] = [], extra: Partial<JsonApiClientOptions> = {}): JsonApiClient {
  const log = (level: string) => (obj: object, msg?: string) =>
    logs.push(`${level} ${JSON.stringify(obj)} ${msg ?? ''}`);
  const logger: PluginLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  return new JsonApiClient({
    baseUrl: url,
    basicAuth: { login: 'partner', password: 'Secret-Pw1' },
    timeoutMs: 2000,
    maxResponseBytes: 64 * 1024,
    logger,
    ...extra,
  });
}

const json = { 'content-type': 'application/json' };
const basic = Buffer.from('partner:Secret-Pw1').toString('base64');

test('each HTTP status maps to the standard KaError; 5xx leaves a create unknown, a read not', async (t) => {
  const cases: Array<[number, string, string, boolean, boolean]> = [
    // status, method, code, retryable, outcomeUnknown
    [401, 'GET', 'auth_failed', false, false],
    [403, 'POST', 'permission_denied', false, false],
    [404, 'POST', 'not_found', false, false],
    [409, 'PUT', 'business_rule', false, false],
    [429, 'POST', 'unavailable', true, false],
    [500, 'POST', 'ka_internal', true, true],
    [503, 'GET', 'unavailable', true, false],
    [502, 'DELETE', 'unavailable', true, true],
  ];
  for (const [status, method, code, retryable, outcomeUnknown] of cases) {
    const server = await serve(() => [status, json, '{"error":{"code":"X","message":"no"}}']);
    const error = await t.throwsAsync(client(server.url).call(method as 'GET', '/keys'), { instanceOf: KaError });
    t.deepEqual(
      [error?.code, error?.retryable, error?.outcomeUnknown],
      [code, retryable, outcomeUnknown],
      `${method} → ${status}`,
    );
    t.is(error?.kaResultCode, 'X');
    t.is(error?.kaMessage, 'no');
    await server.close();
  }
});

test('Retry-After on a 429 becomes retryAfterMs, seconds or a date', async (t) => {
  const server = await serve(() => [429, { ...json, 'retry-after': '7' }, '{}']);
  const error = await t.throwsAsync(client(server.url).call('POST', '/keys', { json: {} }), { instanceOf: KaError });
  t.is(error?.retryAfterMs, 7000);
  await server.close();
  const now = Date.parse('2030-01-01T00:00:00Z');
  t.is(
    retryAfterMs({ headers: { 'retry-after': 'Tue, 01 Jan 2030 00:01:00 GMT' } }, () => now),
    60_000,
  );
  t.is(retryAfterMs({ headers: { 'retry-after': 'soon' } }), undefined);
  t.is(retryAfterMs({ headers: { 'retry-after': '99999999' } }), 24 * 60 * 60 * 1000, 'capped at a day');
});

test('a KA message echoing the password, even as Basic credentials, is scrubbed; logs carry no secret', async (t) => {
  const server = await serve((req) => [
    400,
    json,
    JSON.stringify({ error: { code: 'BAD', message: `bad login Secret-Pw1 from ${req.headers.authorization}` } }),
  ]);
  const logs: string[] = [];
  const error = await t.throwsAsync(client(server.url, logs).call('POST', '/keys', { json: {} }), {
    instanceOf: KaError,
  });
  t.is(error?.kaMessage, 'bad login ******** from Basic ********');
  for (const text of [...logs, JSON.stringify(error?.toJSON())]) {
    t.false(text.includes('Secret-Pw1') || text.includes(basic), text);
  }
  await server.close();
});

test('a garbled or wrong-shaped answer is a retryable protocol error, unknown only for a call that changes something', async (t) => {
  const server = await serve((req) => [200, json, req.method === 'POST' ? '{"key":' : '{"key":{}}']);
  const created = await t.throwsAsync(client(server.url).call('POST', '/keys', { json: {} }), { instanceOf: KaError });
  t.deepEqual([created?.code, created?.retryable, created?.outcomeUnknown], ['protocol', true, true]);
  const read = (body: unknown) => {
    const key = (body as { key?: { number?: unknown } }).key;
    if (typeof key?.number !== 'string') throw new Error(`no number in ${JSON.stringify(body)}`);
    return key.number;
  };
  const looked = await t.throwsAsync(client(server.url).call('GET', '/keys', { read }), { instanceOf: KaError });
  t.deepEqual([looked?.code, looked?.retryable, looked?.outcomeUnknown], ['protocol', true, false]);
  await server.close();
});

test("the KA's documented error codes replace the status, and a documented 5xx is a known outcome; paths are encoded", async (t) => {
  const server = await serve((req) => [
    503,
    json,
    JSON.stringify({ error: { code: req.method === 'PUT' ? 'BUSY' : 'OTHER', message: String(req.url) } }),
  ]);
  const api = client(server.url, [], { errorCodes: { BUSY: { code: 'unavailable', retryable: true } } });
  const error = await t.throwsAsync(api.call('PUT', apiPath`/keys/${'A/B?c'}/renew`), { instanceOf: KaError });
  t.deepEqual([error?.code, error?.retryable, error?.outcomeUnknown], ['unavailable', true, false]);
  t.is(error?.kaMessage, '/api/keys/A%2FB%3Fc/renew');
  const bare = await t.throwsAsync(api.call('POST', '/keys'), { instanceOf: KaError });
  t.true(bare?.outcomeUnknown, 'an undocumented 5xx to a create leaves it unknown');
  await server.close();
});

test('safeFileName keeps the last path segment and never answers a path', (t) => {
  t.is(safeFileName('../../etc/passwd', 'k.xml'), 'passwd');
  t.is(safeFileName('C:\\keys\\a.xml', 'k.xml'), 'a.xml');
  t.is(safeFileName('..', 'k.xml'), 'k.xml');
  t.is(safeFileName('a/', 'k.xml'), 'k.xml');
  t.is(safeFileName('ok\u0000.xml', 'k.xml'), 'ok.xml');
});
