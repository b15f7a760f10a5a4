import { Redis } from 'ioredis';
import { type ReferenceXmlRpcKa, startReferenceXmlRpcKa } from '../../plugins/parallels-ka/src/reference-server.js';
import type { Dialect } from '../../src/infra/db/database.js';
import { type InstallTargetServer, startInstallTargetServer } from '../../src/reference-ka/index.js';
import { testRedisUrl, uniqueName } from './test-env.js';
import { startTestApi, type TestApi } from './test-server.js';
import { waitFor } from './wait-for.js';

export type QueueDriver = 'in-process' | 'bull';

/** The queue drivers this run tests: in-process always, Bull when Redis is configured. */
export function testQueueDrivers(): QueueDriver[] {
  return testRedisUrl ? ['in-process', 'bull'] : ['in-process'];
}

type Body = Record<string, unknown>;

export interface PipelineHarness {
  api: TestApi;
  ka: ReferenceXmlRpcKa;
  target: InstallTargetServer;
  configurationId: number;
  planId: number;
  customerId: number;
  queuePrefix: string;
  /** Places and pays an order; answers the license request id. */
  buy(reference: string): Promise<number>;
  waitForState(requestId: number, state: string, timeoutMs?: number): Promise<Body>;
  /** Main keys at the KA (what the KA would bill). */
  keysAtKa(): string[];
  /** Key numbers of Keyway's licenses. */
  licensesInKeyway(): Promise<string[]>;
  close(): Promise<void>;
}

export const installToken = 'test-install-token';

/** The audit actions of a request that went the happy path, paid to installed, in order. */
export const happyPathActions = [
  'license_request.created',
  'license_request.ready',
  'license_request.issuing',
  'license_request.key_issued',
  'license_request.files_retrieved',
  'license_request.installing',
  'license_request.installed',
];
export const kaTimeoutMs = 600;

/**
 * A whole Keyway process wired to a reference XML-RPC KA and an install target over loopback
 * HTTP, with fast retries, and a plan that sells one Plesk license into a hosting service.
 */
export async function startPipelineHarness(
  dialect: Dialect,
  driver: QueueDriver,
  env: Record<string, string> = {},
  options: { kaTimeoutMs?: number } = {},
): Promise<PipelineHarness> {
  const ka = await startReferenceXmlRpcKa();
  const target = await startInstallTargetServer({ token: installToken });
  const queuePrefix = uniqueName('kwq');
  const api = await startTestApi(dialect, {
    KEYWAY_RETRY_INITIAL_DELAY_MS: '30',
    KEYWAY_RETRY_MAX_DELAY_MS: '200',
    KEYWAY_RECONCILE_EVERY_MS: '250',
    KEYWAY_LEASE_MS: '3000',
    KEYWAY_QUEUE_PREFIX: queuePrefix,
    ...(driver === 'bull' ? { KEYWAY_REDIS_URL: testRedisUrl as string } : {}),
    ...env,
  });
  const config = await api.request<Body>('POST', '/api/v1/ka-configurations', {
    body: {
      name: 'Reference KA',
      plugin: 'parallels-ka',
      settings: {
        endpoint: ka.url,
        login: 'demo-partner',
        password: 'demo-password',
        clientId: 1001,
        timeoutMs: options.kaTimeoutMs ?? kaTimeoutMs,
      },
    },
  });
  if (config.status !== 201) throw new Error(`KA configuration refused: ${JSON.stringify(config.body)}`);
  const configurationId = config.body.id as number;
  await waitFor(
    async () =>
      (await api.request<Body>('GET', `/api/v1/ka-configurations/${configurationId}`)).body.status === 'configured',
    'the configuration to fetch its products',
  );
  const plan = await api.request<Body>('POST', '/api/v1/plans', {
    body: {
      code: 'hosting',
      name: 'Hosting with Plesk',
      periods: [1, 12],
      services: [
        {
          key: 'hosting',
          kind: 'hosting-account',
          provisioner: 'instant',
          settings: { installUrl: target.url, installToken, ips: ['203.0.113.7'] },
        },
      ],
      licenseProducts: [
        { configurationId, product: 'PLESK-12-WEB-HOST', features: ['FT-POWER-PACK'], serviceKey: 'hosting' },
      ],
    },
  });
  if (plan.status !== 201) throw new Error(`plan refused: ${JSON.stringify(plan.body)}`);
  const customer = await api.request<Body>('POST', '/api/v1/customers', {
    body: { name: 'Pipeline Customer', email: 'p@example.com' },
  });

  return {
    api,
    ka,
    target,
    configurationId,
    planId: plan.body.id as number,
    customerId: customer.body.id as number,
    queuePrefix,
    async buy(reference) {
      const order = await api.request<Body>('POST', '/api/v1/orders', {
        body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference },
      });
      const paid = await api.request<{ subscription: { licenseRequests: Body[] } }>(
        'POST',
        `/api/v1/orders/${order.body.id}/pay`,
        { body: { paymentReference: `pay-${reference}` } },
      );
      return paid.body.subscription.licenseRequests[0]?.id as number;
    },
    async waitForState(requestId, state, timeoutMs = 20_000) {
      return waitFor(
        async () => {
          const r = await api.request<Body>('GET', `/api/v1/license-requests/${requestId}`);
          return r.body.state === state ? r.body : undefined;
        },
        `license request ${requestId} to reach ${state}`,
        timeoutMs,
      );
    },
    keysAtKa() {
      return ka.authority
        .listKeys()
        .filter((k) => k.kind === 'MAIN')
        .map((k) => k.keyNumber)
        .sort();
    },
    async licensesInKeyway() {
      return ((await api.running.context.db('licenses').pluck('key_number')) as string[]).sort();
    },
    async close() {
      await api.close();
      await Promise.all([ka.close(), target.close()]);
      if (driver === 'bull') await deleteRedisKeys(queuePrefix);
    },
  };
}

/** Removes every Redis key of one prefix (the test run's queue), leaving other runs alone. */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(testRedisUrl as string, { maxRetriesPerRequest: 2 });
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}
