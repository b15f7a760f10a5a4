import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/infra/log/logger.js';
import { startKeyway } from '../../src/server.js';
import { testRedisUrl, uniqueName } from '../helpers/test-env.js';
import { startTestApi } from '../helpers/test-server.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
const metricsToken = 'scraper-token-0123456789abcdef';

/** One sample's value from Prometheus text: the line with this name and these labels. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

test('the demo order shows in /metrics: paid→installed, requests by state, KA calls by configuration and method, HTTP routes, queue depth, event-loop lag, statements sent to the database', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-metrics-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const api = await startTestApi('sqlite', {
    KEYWAY_DEMO: 'true',
    KEYWAY_DB_URL: `sqlite:${path.join(dir, 'keyway.sqlite')}`,
    KEYWAY_METRICS_TOKEN: metricsToken,
  });
  t.teardown(() => api.close());

  const order = await api.request<Body>('POST', '/api/v1/orders', {
    body: { customerId: 1, planId: 1, period: 12, reference: 'metrics-1' },
  });
  const paid = await api.request<{ subscription: Body }>('POST', `/api/v1/orders/${order.body.id}/pay`, {
    body: { paymentReference: 'pay-1' },
  });
  await waitFor(
    async () => {
      const s = await api.request<{ licenses: Body[] }>('GET', `/api/v1/subscriptions/${paid.body.subscription.id}`);
      return s.body.licenses.length === 4 && s.body.licenses.every((l) => l.status === 'installed');
    },
    'the four demo licenses to be installed',
    30_000,
  );

  const res = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await res.text();
  t.is(sample(text, 'keyway_license_paid_to_installed_seconds_count'), 4);
  t.is(sample(text, 'keyway_license_requests', { state: 'installed' }), 4);
  t.is(
    sample(text, 'keyway_ka_call_duration_seconds_count', {
      configuration: 'Demo KA (XML-RPC)',
      method: 'issueKey',
      result: 'ok',
    }),
    1,
  );
  t.is(
    sample(text, 'keyway_ka_call_duration_seconds_count', {
      configuration: 'Demo KA (SOAP)',
      method: 'install',
      result: 'ok',
    }),
    1,
  );
  t.is(
    sample(text, 'keyway_http_request_duration_seconds_count', { route: '/api/v1/orders/:id/pay', status: '201' }),
    1,
  );
  t.is(sample(text, 'keyway_queue_jobs', { queue: 'license.advance', state: 'waiting' }), 0);
  t.is(sample(text, 'keyway_queue_oldest_waiting_seconds', { queue: 'license.advance' }), 0);
  t.true((sample(text, 'keyway_nodejs_eventloop_lag_seconds') ?? -1) >= 0);
  // Every statement counted: an order and four licenses take dozens; the next scrape counts the reads of this one.
  const statements = sample(text, 'keyway_db_queries_total') ?? 0;
  t.true(statements > 40, `${statements} statements`);
  const again = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  t.true((sample(await again.text(), 'keyway_db_queries_total') ?? 0) > statements);
});

test('/metrics answers an admin token and the metrics token only; /healthz and /readyz need none', async (t) => {
  const api = await startTestApi('sqlite', { KEYWAY_METRICS_TOKEN: metricsToken });
  t.teardown(() => api.close());
  const viewer = await api.request<{ token: string }>('POST', '/api/v1/api-tokens', {
    body: { name: 'viewer', role: 'viewer' },
  });
  const get = (token?: string) =>
    fetch(`${api.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  t.is((await get()).status, 401);
  t.is((await get('wrong-token-0123456789abcdef')).status, 401);
  t.is((await get(viewer.body.token)).status, 403);
  t.is((await get(api.adminToken)).status, 200);
  t.is((await get(metricsToken)).status, 200);

  t.like(await (await fetch(`${api.url}/healthz`)).json(), { ok: true });
  const ready = await fetch(`${api.url}/readyz`);
  t.is(ready.status, 200);
  t.deepEqual(await ready.json(), { ready: true, checks: { database: 'ok', queue: 'ok', migrations: 'ok' } });
});

test('/readyz answers 503 naming a pending migration', async (t) => {
  const api = await startTestApi('sqlite');
  t.teardown(() => api.close());
  const { db } = api.running.context;
  await db('knex_migrations').where('id', db('knex_migrations').max('id')).delete();
  const ready = await fetch(`${api.url}/readyz`);
  t.is(ready.status, 503);
  t.like(await ready.json(), { ready: false, checks: { database: 'ok', queue: 'ok' } });
});

test('KEYWAY_METRICS_TOKEN is validated and never echoed', (t) => {
  // loadConfig is what main.ts runs: a short token stops start-up naming the variable.
  return import('../../src/config/config.js').then(({ loadConfig, ConfigError }) => {
    const err = t.throws(() => loadConfig({ KEYWAY_METRICS_TOKEN: 'short-secret' }), { instanceOf: ConfigError });
    t.regex(err?.message ?? '', /KEYWAY_METRICS_TOKEN: must be 24 to 200 visible ASCII characters/);
    t.notRegex(err?.message ?? '', /short-secret/);
  });
});

const withRedis = testRedisUrl ? test : test.skip;

withRedis(
  'a worker given KEYWAY_METRICS_PORT serves its own metrics: the paid→installed it observed and its KA calls',
  async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-metrics-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const shared = {
      KEYWAY_DB_URL: `sqlite:${path.join(dir, 'keyway.sqlite')}`,
      KEYWAY_REDIS_URL: testRedisUrl as string,
      KEYWAY_QUEUE_PREFIX: uniqueName('kw-metrics'),
    };
    const api = await startTestApi('sqlite', { ...shared, KEYWAY_DEMO: 'true', KEYWAY_ROLE: 'api' });
    t.teardown(() => api.close());
    const config = loadConfig({
      ...shared,
      KEYWAY_ROLE: 'worker',
      KEYWAY_METRICS_PORT: '0',
      KEYWAY_METRICS_TOKEN: metricsToken,
      KEYWAY_DEMO: 'false',
      KEYWAY_LOG_LEVEL: 'silent',
    });
    const worker = await startKeyway(config, createLogger('silent'), { print: () => {} });
    t.teardown(() => worker.close());

    const order = await api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId: 1, planId: 1, period: 12, reference: 'worker-metrics-1' },
    });
    await api.request('POST', `/api/v1/orders/${order.body.id}/pay`, { body: { paymentReference: 'pay-1' } });
    const scrape = async () =>
      (await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
    const text = await waitFor(
      async () => {
        const body = await scrape();
        return sample(body, 'keyway_license_paid_to_installed_seconds_count') === 4 ? body : undefined;
      },
      "the worker's four installs in its metrics",
      30_000,
    );
    t.is(
      sample(text, 'keyway_ka_call_duration_seconds_count', {
        role: 'worker',
        method: 'issueKey',
        result: 'ok',
        configuration: 'Demo KA (REST)',
      }),
      2,
      'the REST KA issues two of the demo keys: its product and the SaaS one',
    );
    // The API process installed nothing itself: its histogram is empty.
    const apiText = await (
      await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.adminToken}` } })
    ).text();
    t.is(sample(apiText, 'keyway_license_paid_to_installed_seconds_count'), 0);
    t.is((await fetch(`${worker.url}/readyz`)).status, 200);
    t.is((await fetch(`${worker.url}/api/v1/plans`)).status, 404);
  },
);
