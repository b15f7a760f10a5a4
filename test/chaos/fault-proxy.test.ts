import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { FaultProxy } from '../../scripts/chaos/fault-proxy.js';

/** An upstream that counts the requests it handled and answers their body back. */
async function startUpstream(): Promise<{ port: number; handled: string[]; close(): Promise<void> }> {
  const handled: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      handled.push(body);
      res.end(`echo ${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    handled,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Outcome = { status: number; body: string } | { error: string };

/** One POST through the proxy on a fresh connection, bounded by `timeoutMs`. */
function post(url: string, body: string, timeoutMs = 2000): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(`${url}/`, { method: 'POST', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end(body);
  });
}

async function setUp() {
  const upstream = await startUpstream();
  const proxy = await FaultProxy.start({ upstream: { host: '127.0.0.1', port: upstream.port } });
  return {
    upstream,
    proxy,
    async close() {
      await proxy.close();
      await upstream.close();
    },
  };
}

test('passes requests and answers through', async (t) => {
  const { proxy, upstream, close } = await setUp();
  try {
    t.deepEqual(await post(proxy.url, 'hello'), { status: 200, body: 'echo hello' });
    t.deepEqual(upstream.handled, ['hello']);
  } finally {
    await close();
  }
});

test('refuses connections while refusing, then serves on the same port again', async (t) => {
  const { proxy, upstream, close } = await setUp();
  try {
    const url = proxy.url;
    await proxy.setMode({ kind: 'refuse' });
    t.deepEqual(await post(url, 'refused'), { error: 'ECONNREFUSED' });
    await proxy.setMode({ kind: 'pass' });
    t.is(proxy.url, url);
    t.deepEqual(await post(url, 'back'), { status: 200, body: 'echo back' });
    t.deepEqual(upstream.handled, ['back']);
  } finally {
    await close();
  }
});

test('hangs: accepts the request, never forwards it and never answers', async (t) => {
  const { proxy, upstream, close } = await setUp();
  try {
    await proxy.setMode({ kind: 'hang' });
    const started = Date.now();
    t.deepEqual(await post(proxy.url, 'lost', 400), { error: 'timeout' });
    t.true(Date.now() - started >= 350);
    t.deepEqual(upstream.handled, []);
    t.is(proxy.stats().requestsHung, 1);
  } finally {
    await close();
  }
});

test('drops the answer after the upstream handled the request', async (t) => {
  const { proxy, upstream, close } = await setUp();
  try {
    await proxy.setMode({ kind: 'drop' });
    const outcome = await post(proxy.url, 'made');
    t.true('error' in outcome, `expected no answer, got ${JSON.stringify(outcome)}`);
    t.deepEqual(upstream.handled, ['made']);
    t.is(proxy.stats().answersDropped, 1);
  } finally {
    await close();
  }
});

test('drops only the answers of requests the filter picks', async (t) => {
  const { proxy, upstream, close } = await setUp();
  try {
    await proxy.setMode({ kind: 'drop', when: (request) => request.includes('createKey') });
    t.deepEqual(await post(proxy.url, 'getKeyInfo'), { status: 200, body: 'echo getKeyInfo' });
    t.true('error' in (await post(proxy.url, 'createKey')));
    t.deepEqual(upstream.handled, ['getKeyInfo', 'createKey']);
  } finally {
    await close();
  }
});

test('delays answers by the latency it is given', async (t) => {
  const { proxy, close } = await setUp();
  try {
    await proxy.setMode({ kind: 'latency', minMs: 300, maxMs: 350 });
    const started = Date.now();
    t.deepEqual(await post(proxy.url, 'slow'), { status: 200, body: 'echo slow' });
    t.true(Date.now() - started >= 290);
  } finally {
    await close();
  }
});

test('a mode change reaches a connection that is already open', async (t) => {
  const { proxy, upstream, close } = await setUp();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send = (body: string) =>
    new Promise<Outcome>((resolve) => {
      const req = http.request(`${proxy.url}/`, { method: 'POST', agent, timeout: 400 }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: '' }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => resolve({ error: err.message }));
      req.end(body);
    });
  try {
    t.like(await send('first'), { status: 200 });
    await proxy.setMode({ kind: 'hang' });
    t.deepEqual(await send('second'), { error: 'timeout' });
    t.is(proxy.stats().connections, 1);
    t.deepEqual(upstream.handled, ['first']);
  } finally {
    agent.destroy();
    await close();
  }
});
