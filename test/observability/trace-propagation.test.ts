import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import test from 'ava';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/infra/log/logger.js';
import { createJobQueue } from '../../src/infra/queue/create-job-queue.js';
import type { JobQueue } from '../../src/infra/queue/job-queue.js';
import { currentTrace, outgoingTraceparent, runInTrace, continueTrace } from '../../src/infra/trace/trace-context.js';
import { httpRequest } from '../../src/plugin-sdk/http-client.js';
import { setTraceparentSource } from '../../src/plugin-sdk/trace-header.js';
import { startKeyway } from '../../src/server.js';
import { testRedisUrl, uniqueName } from '../helpers/test-env.js';
import { waitFor } from '../helpers/wait-for.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const incoming = `00-${traceId}-00f067aa0ba902b7-01`;

/** Log lines as objects, written by a real pino logger. */
function logSink(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

const drivers: Array<[string, () => JobQueue]> = [['in-process', () => createJobQueue()]];
if (testRedisUrl) {
  drivers.push(['bull', () => createJobQueue({ redisUrl: testRedisUrl, prefix: uniqueName('kwtrace') })]);
}

for (const [driver, make] of drivers) {
  test(`${driver}: a job runs in the trace of the code that enqueued it, and its payload is as enqueued`, async (t) => {
    const queue = make();
    t.teardown(() => queue.close({ timeoutMs: 500 }));
    const seen: Array<{ payload: unknown; traceId?: string; spanId?: string }> = [];
    queue.process<{ requestId: number }>('advance', 1, async (job) => {
      seen.push({ payload: job.payload, traceId: currentTrace()?.traceId, spanId: currentTrace()?.spanId });
    });
    const parent = continueTrace(incoming, 'req-1');
    await runInTrace(parent, () => queue.enqueue('advance', { requestId: 7 }));
    // Enqueued outside any trace: the job gets a trace of its own.
    await queue.enqueue('advance', { requestId: 8 });
    await waitFor(async () => seen.length === 2, 'both jobs to run', 10_000);
    const traced = seen.find((s) => (s.payload as { requestId: number }).requestId === 7);
    const untraced = seen.find((s) => (s.payload as { requestId: number }).requestId === 8);
    t.deepEqual(traced?.payload, { requestId: 7 });
    t.is(traced?.traceId, traceId);
    t.not(traced?.spanId, parent.spanId, 'the job is a span of its own');
    t.deepEqual(untraced?.payload, { requestId: 8 });
    t.regex(untraced?.traceId ?? '', /^[0-9a-f]{32}$/);
    t.not(untraced?.traceId, traceId);
  });
}

test('an HTTP call made by the SDK inside a trace sends a traceparent of that trace; outside one, none', async (t) => {
  const received: Array<string | undefined> = [];
  const server = http.createServer((req, res) => {
    received.push(req.headers.traceparent as string | undefined);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  setTraceparentSource(outgoingTraceparent);
  t.teardown(() => setTraceparentSource(undefined));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  await runInTrace(continueTrace(incoming), () =>
    httpRequest({ method: 'GET', url, timeoutMs: 5000, maxResponseBytes: 1024 }),
  );
  await httpRequest({ method: 'GET', url, timeoutMs: 5000, maxResponseBytes: 1024 });
  t.regex(received[0] ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  t.not(received[0], incoming, 'a new span of the same trace');
  t.is(received[1], undefined);
});

test('a paid demo order: the pay request and the workers installing its licenses log one trace id', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-trace-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({
    PORT: '0',
    KEYWAY_DB_URL: `sqlite:${path.join(dir, 'keyway.sqlite')}`,
    KEYWAY_ADMIN_TOKEN: 'kw_trace_admin_token_0123456789abcdef',
    KEYWAY_DEMO: 'true',
    KEYWAY_LOG_LEVEL: 'info',
  });
  const sink = logSink();
  const running = await startKeyway(config, createLogger('info', sink.stream), { print: () => {} });
  t.teardown(() => running.close());
  const headers = { authorization: 'Bearer kw_trace_admin_token_0123456789abcdef', 'content-type': 'application/json' };
  const order = await fetch(`${running.url}/api/v1/orders`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ customerId: 1, planId: 1, period: 12, reference: 'trace-1' }),
  }).then((r) => r.json() as Promise<{ id: number }>);
  const paid = await fetch(`${running.url}/api/v1/orders/${order.id}/pay`, {
    method: 'POST',
    headers: { ...headers, traceparent: incoming, 'x-request-id': 'pay-request-1' },
    body: JSON.stringify({ paymentReference: 'pay-trace-1' }),
  });
  t.is(paid.status, 201);
  t.is(paid.headers.get('x-request-id'), 'pay-request-1');
  await waitFor(
    async () => sink.lines.filter((l) => l.msg === 'license installed').length === 4,
    'the four demo licenses installed',
    30_000,
  );
  const installed = sink.lines.filter((l) => l.msg === 'license installed');
  t.true(installed.every((l) => l.traceId === traceId && l.reqId === 'pay-request-1'));
  const payLog = sink.lines.find((l) => l.msg === 'request completed' && l.traceId === traceId);
  t.truthy(payLog, 'the pay request itself logs the trace');
});
