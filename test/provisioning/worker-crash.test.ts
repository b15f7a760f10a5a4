import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { startReferenceXmlRpcKa } from '../../plugins/parallels-ka/src/reference-server.js';
import { startInstallTargetServer } from '../../src/reference-ka/index.js';
import { deleteRedisKeys, installToken } from '../helpers/pipeline-harness.js';
import { testDialects } from '../helpers/test-database.js';
import { testRedisUrl, uniqueName } from '../helpers/test-env.js';
import { startTestApi } from '../helpers/test-server.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A real worker process (role worker) on the given database and queue. */
function startWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import=tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, KEYWAY_ROLE: 'worker', KEYWAY_LOG_LEVEL: 'silent', KEYWAY_DEMO: 'false', ...env },
    stdio: 'ignore',
  });
}

// Separate api and worker processes share jobs through Redis (the in-process queue is per process).
if (!testRedisUrl)
  test.skip('worker crash: needs KEYWAY_TEST_REDIS_URL (separate processes share jobs through Redis)', () => {});
for (const dialect of testRedisUrl ? testDialects() : []) {
  test.serial(
    `${dialect}: a worker killed between "key issued" and "files retrieved" is replaced, and the license completes without a second key`,
    async (t) => {
      const ka = await startReferenceXmlRpcKa();
      const target = await startInstallTargetServer({ token: installToken });
      const queuePrefix = uniqueName('kwq');
      const shared = {
        KEYWAY_RECONCILE_EVERY_MS: '200',
        KEYWAY_LEASE_MS: '1500',
        KEYWAY_RETRY_INITIAL_DELAY_MS: '30',
        KEYWAY_QUEUE_PREFIX: queuePrefix,
        KEYWAY_REDIS_URL: testRedisUrl as string,
      };
      const api = await startTestApi(dialect, { ...shared, KEYWAY_ROLE: 'api' });
      const { databaseUrl, secretKey } = api.running.context.config;
      const workerEnv = {
        ...shared,
        KEYWAY_DB_URL: databaseUrl,
        ...(secretKey ? { KEYWAY_SECRET_KEY: secretKey.toString('base64') } : {}),
      };
      const workers: ChildProcess[] = [];
      try {
        workers.push(startWorker(workerEnv));
        const config = await api.request<Body>('POST', '/api/v1/ka-configurations', {
          body: {
            name: 'Reference KA',
            plugin: 'parallels-ka',
            settings: {
              endpoint: ka.url,
              login: 'demo-partner',
              password: 'demo-password',
              clientId: 1001,
              timeoutMs: 10_000,
            },
          },
        });
        const plan = await api.request<Body>('POST', '/api/v1/plans', {
          body: {
            code: 'crash',
            name: 'Crash test',
            periods: [12],
            services: [
              {
                key: 'hosting',
                kind: 'hosting',
                provisioner: 'instant',
                settings: { installUrl: target.url, installToken, ips: ['203.0.113.9'] },
              },
            ],
            licenseProducts: [{ configurationId: config.body.id, product: 'PLESK-12-WEB-HOST', serviceKey: 'hosting' }],
          },
        });
        const customer = await api.request<Body>('POST', '/api/v1/customers', {
          body: { name: 'C', email: 'c@example.com' },
        });
        // The first worker will hang in "retrieve files" long enough to be killed there.
        ka.authority.injectFault('retrieveKey', { kind: 'latency', ms: 8_000 }, { times: 1 });
        const order = await api.request<Body>('POST', '/api/v1/orders', {
          body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference: 'crash-1' },
        });
        const paid = await api.request<{ subscription: { licenseRequests: Body[] } }>(
          'POST',
          `/api/v1/orders/${order.body.id}/pay`,
          { body: { paymentReference: 'p' } },
        );
        const requestId = paid.body.subscription.licenseRequests[0]?.id;
        const state = async () => (await api.request<Body>('GET', `/api/v1/license-requests/${requestId}`)).body.state;
        await waitFor(async () => (await state()) === 'key_issued', 'the key to be issued', 30_000);
        workers[0]?.kill('SIGKILL');
        t.is(ka.authority.listKeys().length, 1);

        workers.push(startWorker(workerEnv));
        await waitFor(
          async () => (await state()) === 'installed',
          'the replacement worker to finish the license',
          40_000,
        );
        t.is(ka.authority.listKeys().length, 1);
        const licenses = (await api.running.context.db('licenses').pluck('key_number')) as string[];
        t.deepEqual(
          licenses,
          ka.authority.listKeys().map((k) => k.keyNumber),
        );
        t.is(target.installs().length, 1);
      } finally {
        for (const w of workers) w.kill('SIGKILL');
        await api.close();
        await Promise.all([ka.close(), target.close()]);
        await deleteRedisKeys(queuePrefix);
      }
    },
  );
}
