import { type ReferenceXmlRpcKa, startReferenceXmlRpcKa } from '../../plugins/parallels-ka/src/reference-server.js';
import { startReferenceSoapKa } from '../../plugins/soap-ka/src/reference-server.js';
import type { Dialect } from '../../src/infra/db/database.js';
import { type InstallTargetServer, startInstallTargetServer } from '../../src/reference-ka/index.js';
import { installToken } from './pipeline-harness.js';
import { startTestApi, type TestApi } from './test-server.js';
import { waitFor } from './wait-for.js';

type Body = Record<string, unknown>;

export interface TwoProtocolRig {
  api: TestApi;
  /** The XML-RPC KA; the SOAP KA serves the same authority, so its keys are here too. */
  xmlrpc: ReferenceXmlRpcKa;
  target: InstallTargetServer;
  /** The configurations "Plesk keys" (XML-RPC) and "RAS keys" (SOAP). */
  xmlConfigurationId: number;
  rasConfigurationId: number;
  /** Places and pays an order of the plan, which has one license of each protocol; answers once both are installed. */
  buyAndWaitInstalled(reference: string): Promise<{ subscriptionId: number; licenses: Body[] }>;
  close(): Promise<void>;
}

/**
 * Keyway with a plan of two licenses, one from the reference XML-RPC KA and one from the
 * reference SOAP KA (one authority behind both), installed into one install target.
 */
export async function startTwoProtocolRig(
  dialect: Dialect,
  options: { planCode: string; ip: string; env?: Record<string, string>; clock?: () => number },
): Promise<TwoProtocolRig> {
  const xmlrpc = await startReferenceXmlRpcKa();
  const soap = await startReferenceSoapKa({ authority: xmlrpc.authority });
  const target = await startInstallTargetServer({ token: installToken });
  const api = await startTestApi(
    dialect,
    {
      KEYWAY_RETRY_INITIAL_DELAY_MS: '30',
      KEYWAY_RETRY_MAX_DELAY_MS: '200',
      KEYWAY_RECONCILE_EVERY_MS: '250',
      ...options.env,
    },
    { clock: options.clock },
  );
  const close = async () => {
    await api.close();
    await Promise.all([xmlrpc.close(), soap.close(), target.close()]);
  };
  try {
    const credentials = { login: 'demo-partner', password: 'demo-password', timeoutMs: 2000 };
    const xml = await api.request<Body>('POST', '/api/v1/ka-configurations', {
      body: {
        name: 'Plesk keys',
        plugin: 'parallels-ka',
        settings: { ...credentials, endpoint: xmlrpc.url, clientId: 1001 },
      },
    });
    const ras = await api.request<Body>('POST', '/api/v1/ka-configurations', {
      body: { name: 'RAS keys', plugin: 'soap-ka', settings: { ...credentials, endpoint: soap.url } },
    });
    await waitFor(
      async () =>
        (await api.request<Body>('GET', `/api/v1/ka-configurations/${ras.body.id}`)).body.status === 'configured',
      'the SOAP configuration to fetch its products',
    );
    const plan = await api.request<Body>('POST', '/api/v1/plans', {
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
          { configurationId: xml.body.id, product: 'PLESK-12-WEB-HOST', serviceKey: 'hosting' },
          { configurationId: ras.body.id, product: 'RAS-SUBSCRIPTION', quantity: 5, serviceKey: 'hosting' },
        ],
      },
    });
    const customer = await api.request<Body>('POST', '/api/v1/customers', {
      body: { name: options.planCode, email: `${options.planCode}@example.com` },
    });
    return {
      api,
      xmlrpc,
      target,
      xmlConfigurationId: xml.body.id as number,
      rasConfigurationId: ras.body.id as number,
      async buyAndWaitInstalled(reference) {
        const order = await api.request<Body>('POST', '/api/v1/orders', {
          body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference },
        });
        const paid = await api.request<{ subscription: Body }>('POST', `/api/v1/orders/${order.body.id}/pay`, {
          body: { paymentReference: `pay-${reference}` },
        });
        const subscriptionId = paid.body.subscription.id as number;
        const licenses = await waitFor(
          async () => {
            const s = await api.request<{ licenses: Body[] }>('GET', `/api/v1/subscriptions/${subscriptionId}`);
            return s.body.licenses.length === 2 && s.body.licenses.every((l) => l.status === 'installed')
              ? s.body.licenses
              : undefined;
          },
          'both licenses to be installed',
          30_000,
        );
        return { subscriptionId, licenses };
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
