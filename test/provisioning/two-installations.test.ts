import test from 'ava';
import { startReferenceRestKa } from '../../plugins/rest-ka/src/reference-server.js';
import { startReferenceSoapKa } from '../../plugins/soap-ka/src/reference-server.js';
import { startInstallTargetServer } from '../../src/reference-ka/index.js';
import { installToken } from '../helpers/pipeline-harness.js';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi, type TestApi } from '../helpers/test-server.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;

/** Two KAs that create idempotently on the partner's external id, as the docs recommend. */
const KAS = [
  { plugin: 'soap-ka', product: 'RAS-SUBSCRIPTION', start: startReferenceSoapKa },
  { plugin: 'rest-ka', product: 'VZ-CONTAINERS', start: startReferenceRestKa },
] as const;

/** One Keyway selling one license per order through the KA at `endpoint`. */
async function sellThrough(
  api: TestApi,
  ka: (typeof KAS)[number],
  endpoint: string,
  installUrl: string,
): Promise<(reference: string) => Promise<Body>> {
  const settings = { endpoint, login: 'demo-partner', password: 'demo-password', timeoutMs: 2000 };
  const configuration = await api.request<Body>('POST', '/api/v1/ka-configurations', {
    body: { name: 'Keys', plugin: ka.plugin, settings },
  });
  const plan = await api.request<Body>('POST', '/api/v1/plans', {
    body: {
      code: 'plan',
      name: 'Plan',
      periods: [12],
      services: [
        {
          key: 'hosting',
          kind: 'hosting',
          provisioner: 'instant',
          settings: { installUrl, installToken, ips: ['203.0.113.30'] },
        },
      ],
      licenseProducts: [
        { configurationId: configuration.body.id, product: ka.product, quantity: 5, serviceKey: 'hosting' },
      ],
    },
  });
  const customer = await api.request<Body>('POST', '/api/v1/customers', {
    body: { name: 'Customer', email: 'c@example.com' },
  });
  return async (reference) => {
    const order = await api.request<Body>('POST', '/api/v1/orders', {
      body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference },
    });
    const paid = await api.request<{ subscription: Body }>('POST', `/api/v1/orders/${order.body.id}/pay`, {
      body: { paymentReference: `pay-${reference}` },
    });
    return waitFor(
      async () => {
        const s = await api.request<{ licenses: Body[] }>('GET', `/api/v1/subscriptions/${paid.body.subscription.id}`);
        return s.body.licenses.find((l) => l.status === 'installed');
      },
      `the license of ${reference} to be installed`,
      30_000,
    );
  };
}

for (const dialect of testDialects()) {
  for (const kaKind of KAS)
    test.serial(
      `${dialect}, ${kaKind.plugin}: a second Keyway on the same KA account never receives the first one's keys`,
      async (t) => {
        const ka = await kaKind.start();
        const target = await startInstallTargetServer({ token: installToken });
        const apis: TestApi[] = [];
        try {
          // Production and staging: two databases, both counting their license requests from 1.
          for (let i = 0; i < 2; i += 1)
            apis.push(
              await startTestApi(dialect, { KEYWAY_RETRY_INITIAL_DELAY_MS: '30', KEYWAY_RETRY_MAX_DELAY_MS: '200' }),
            );
          const [production, staging] = apis as [TestApi, TestApi];
          const buyInProduction = await sellThrough(production, kaKind, ka.url, target.url);
          const buyInStaging = await sellThrough(staging, kaKind, ka.url, target.url);

          const first = await buyInProduction('prod-1');
          const second = await buyInStaging('staging-1');
          t.not(second.keyNumber, first.keyNumber, 'staging was handed the key of a production customer');

          const keys = ka.authority.listKeys().filter((k) => k.kind === 'MAIN');
          t.deepEqual(keys.map((k) => k.keyNumber).sort(), [first.keyNumber, second.keyNumber].sort());
          const references = keys.map((k) => String(k.externalId));
          t.is(new Set(references).size, 2, `references must differ between installations: ${references.join(', ')}`);
        } finally {
          for (const api of apis) await api.close();
          await Promise.all([ka.close(), target.close()]);
        }
      },
    );
}
