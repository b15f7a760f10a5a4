import { startReferenceRestKa } from '../../plugins/rest-ka/src/reference-server.js';
import { startReferenceSoapKa } from '../../plugins/soap-ka/src/reference-server.js';
import type { Dialect } from '../../src/infra/db/database.js';
import { type InstallTargetServer, LicenseAuthority, startInstallTargetServer } from '../../src/reference-ka/index.js';
import { installToken } from './pipeline-harness.js';
import { startTestApi, type TestApi } from './test-server.js';
import { waitFor } from './wait-for.js';

type Body = Record<string, unknown>;

/** The counted product each reference KA sells, and its unit. */
export const quotaProtocols = {
  soap: { plugin: 'soap-ka', product: 'RAS-SUBSCRIPTION', unit: 'users' },
  rest: { plugin: 'rest-ka', product: 'VZ-CONTAINERS', unit: 'containers' },
} as const;
export type QuotaProtocol = keyof typeof quotaProtocols;

export interface QuotaRig {
  api: TestApi;
  authority: LicenseAuthority;
  /** The reference KA's URL (its `/_reference/` admin routes activate farms). */
  kaUrl: string;
  target: InstallTargetServer;
  planId: number;
  licenseProductId: number;
  customerId: number;
  packSize: number;
  /** Places and pays an order of `packs` packs; answers its subscription and license once installed. */
  buy(reference: string, packs?: number): Promise<{ subscriptionId: number; license: Body }>;
  /** Tells the reference KA a farm activated with `keyNumber`. */
  activateFarm(keyNumber: string, serverId: string, farmName?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Keyway with one reference KA over HTTP (SOAP or REST) and a plan selling its counted product
 * in packs of `packSize` (1 to 20 packs, a decrease allowed once), installed into one target.
 */
export async function startQuotaRig(
  dialect: Dialect,
  protocol: QuotaProtocol,
  options: { planCode: string; ip: string; packSize?: number; allowDecrease?: boolean },
): Promise<QuotaRig> {
  const { plugin, product, unit } = quotaProtocols[protocol];
  const packSize = options.packSize ?? 5;
  const authority = new LicenseAuthority({ demo: true });
  const ka =
    protocol === 'soap' ? await startReferenceSoapKa({ authority }) : await startReferenceRestKa({ authority });
  const target = await startInstallTargetServer({ token: installToken });
  const api = await startTestApi(dialect, {
    KEYWAY_RETRY_INITIAL_DELAY_MS: '30',
    KEYWAY_RETRY_MAX_DELAY_MS: '200',
    KEYWAY_RECONCILE_EVERY_MS: '250',
  });
  const close = async () => {
    await api.close();
    await Promise.all([ka.close(), target.close()]);
  };
  try {
    const configuration = await api.request<Body>('POST', '/api/v1/ka-configurations', {
      body: {
        name: `${protocol} keys`,
        plugin,
        settings: { login: 'demo-partner', password: 'demo-password', timeoutMs: 2000, endpoint: ka.url },
      },
    });
    await waitFor(
      async () =>
        (await api.request<Body>('GET', `/api/v1/ka-configurations/${configuration.body.id}`)).body.status ===
        'configured',
      'the configuration to fetch its products',
    );
    const plan = await api.request<Body & { licenseProducts: Body[] }>('POST', '/api/v1/plans', {
      body: {
        code: options.planCode,
        name: options.planCode,
        periods: [12],
        services: [
          {
            key: 'hosting',
            kind: 'hosting',
            provisioner: 'instant',
            settings: { installUrl: target.url, installToken, ips: [options.ip] },
          },
        ],
        licenseProducts: [
          {
            configurationId: configuration.body.id,
            product,
            quantity: packSize,
            unit,
            packSize,
            minPacks: 1,
            maxPacks: 20,
            allowDecrease: options.allowDecrease ?? true,
            serviceKey: 'hosting',
          },
        ],
      },
    });
    if (plan.status !== 201) throw new Error(`plan: ${JSON.stringify(plan.body)}`);
    const customer = await api.request<Body>('POST', '/api/v1/customers', {
      body: { name: options.planCode, email: `${options.planCode}@example.com` },
    });
    const planId = plan.body.id as number;
    const customerId = customer.body.id as number;
    return {
      api,
      authority,
      kaUrl: ka.url,
      target,
      planId,
      licenseProductId: plan.body.licenseProducts[0]?.id as number,
      customerId,
      packSize,
      async buy(reference, packs) {
        const order = await api.request<Body>('POST', '/api/v1/orders', {
          body: { customerId, planId, period: 12, reference, ...(packs === undefined ? {} : { quantity: packs }) },
        });
        if (order.status !== 201) throw new Error(`order: ${JSON.stringify(order.body)}`);
        const paid = await api.request<{ subscription: Body }>('POST', `/api/v1/orders/${order.body.id}/pay`, {
          body: { paymentReference: `pay-${reference}` },
        });
        const subscriptionId = paid.body.subscription.id as number;
        const license = await waitFor(
          async () => {
            const s = await api.request<{ licenses: Body[] }>('GET', `/api/v1/subscriptions/${subscriptionId}`);
            const [only] = s.body.licenses;
            return only?.status === 'installed' ? only : undefined;
          },
          'the license to be installed',
          30_000,
        );
        return { subscriptionId, license };
      },
      async activateFarm(keyNumber, serverId, farmName) {
        const answer = await fetch(
          `${new URL(ka.url).origin}/_reference/keys/${encodeURIComponent(keyNumber)}/activations`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ serverId, farmName, appVersion: '19.1', usage: 3 }),
          },
        );
        if (!answer.ok) throw new Error(`activate: ${answer.status} ${await answer.text()}`);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
