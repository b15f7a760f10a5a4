import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { httpPost, httpRequest } from '../../src/plugin-sdk/http-client.js';
import { KaError } from '../../src/plugin-sdk/ka-error.js';
import { type WireExchange, withWireTap } from '../../src/plugin-sdk/wire-tap.js';

async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const limits = { timeoutMs: 2000, maxResponseBytes: 1024 };

test('posts the body and returns status, headers and body', async (t) => {
  const server = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.writeHead(201, { 'x-echo': 'yes' }).end(Buffer.concat(chunks)));
  });
  const response = await httpPost(server.url, 'hello', { ...limits, headers: { 'content-type': 'text/plain' } });
  t.is(response.status, 201);
  t.is(response.headers['x-echo'], 'yes');
  t.is(response.body.toString(), 'hello');
  await server.close();
});

test('a refused connection is retryable and surely not sent', async (t) => {
  const server = await serve(() => {});
  const url = server.url;
  await server.close();
  const error = await t.throwsAsync(httpPost(url, 'x', limits), { instanceOf: KaError });
  t.is(error?.code, 'unavailable');
  t.true(error?.retryable);
  t.false(error?.outcomeUnknown);
});

test('a timeout after the request was sent leaves the outcome unknown', async (t) => {
  const server = await serve(() => {});
  const error = await t.throwsAsync(httpPost(server.url, 'x', { ...limits, timeoutMs: 200 }), { instanceOf: KaError });
  t.is(error?.code, 'timeout');
  t.true(error?.retryable);
  t.true(error?.outcomeUnknown);
  await server.close();
});

test('a connection dropped after the request was read leaves the outcome unknown', async (t) => {
  const server = await serve((req) => {
    req.resume();
    req.on('end', () => req.socket.destroy());
  });
  const error = await t.throwsAsync(httpPost(server.url, 'x', limits), { instanceOf: KaError });
  t.is(error?.code, 'unavailable');
  t.true(error?.outcomeUnknown);
  await server.close();
});

test('a response over the limit is refused, declared or streamed', async (t) => {
  const declared = await serve((_req, res) => res.end(Buffer.alloc(4096)));
  const e1 = await t.throwsAsync(httpPost(declared.url, 'x', limits), { instanceOf: KaError });
  t.is(e1?.code, 'response_too_large');
  t.false(e1?.retryable);
  await declared.close();

  const streamed = await serve((_req, res) => {
    res.write(Buffer.alloc(800));
    res.write(Buffer.alloc(800));
    res.end();
  });
  const e2 = await t.throwsAsync(httpPost(streamed.url, 'x', limits), { instanceOf: KaError });
  t.is(e2?.code, 'response_too_large');
  await streamed.close();
});

test('HTTP 5xx is returned to the caller, not thrown', async (t) => {
  const server = await serve((_req, res) => res.writeHead(503).end('busy'));
  const response = await httpPost(server.url, 'x', limits);
  t.is(response.status, 503);
  await server.close();
});

test('credentials in the URL never reach the error message', async (t) => {
  const error = await t.throwsAsync(httpPost('http://user:s3cret@127.0.0.1:1/?token=abc', 'x', limits));
  t.false(JSON.stringify(error).includes('s3cret'));
  t.false(String(error?.message).includes('s3cret'));
  t.false(String(error?.message).includes('abc'));
});

test('httpRequest sends the method, the query, a JSON body and Basic credentials; the wire tap sees method and query', async (t) => {
  let seen: { method?: string; url?: string; authorization?: string; type?: string; body?: string } = {};
  const server = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen = {
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        type: req.headers['content-type'],
        body: Buffer.concat(chunks).toString(),
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  const exchanges: WireExchange[] = [];
  const response = await withWireTap(
    (exchange) => exchanges.push(exchange),
    () =>
      httpRequest({
        ...limits,
        method: 'PUT',
        url: `${server.url}30/keys`,
        query: { externalId: 'kw a&b', skip: undefined },
        json: { quantity: 3 },
        basicAuth: { login: 'partner', password: 'pw' },
      }),
  );
  t.is(response.status, 200);
  t.deepEqual(seen, {
    method: 'PUT',
    url: '/30/keys?externalId=kw+a%26b',
    authorization: `Basic ${Buffer.from('partner:pw').toString('base64')}`,
    type: 'application/json',
    body: '{"quantity":3}',
  });
  t.is(exchanges[0]?.method, 'PUT');
  t.is(exchanges[0]?.url, `${server.url}30/keys?externalId=kw+a%26b`);
  await server.close();
});

test('a GET that times out or drops never leaves the outcome unknown: it changed nothing', async (t) => {
  const silent = await serve(() => {});
  const timeout = await t.throwsAsync(httpRequest({ ...limits, timeoutMs: 200, method: 'GET', url: silent.url }), {
    instanceOf: KaError,
  });
  t.is(timeout?.code, 'timeout');
  t.false(timeout?.outcomeUnknown);
  await silent.close();
  const dropping = await serve((req) => req.socket.destroy());
  const dropped = await t.throwsAsync(httpRequest({ ...limits, method: 'DELETE', url: dropping.url }), {
    instanceOf: KaError,
  });
  t.true(dropped?.outcomeUnknown, 'a DELETE may have happened');
  await dropping.close();
});
