import test from 'ava';
import { startReferenceXmlRpcKa } from '../../plugins/parallels-ka/src/reference-server.js';
import { startReferenceSoapKa } from '../../plugins/soap-ka/src/reference-server.js';
import { startInstallTargetServer } from '../../src/reference-ka/index.js';
import { installToken } from '../helpers/pipeline-harness.js';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi } from '../helpers/test-server.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;

for (const dialect of testDialects()) {
  test.serial(`${dialect}: a plan with an XML-RPC and a SOAP license yields two licenses in two tabs; a dropped SOAP answer still makes one key`, async (t) => {
    const xmlrpc = await startReferenceXmlRpcKa();
    const soap = await startReferenceSoapKa({ authority: xmlrpc.authority });
    const target = await startInstallTargetServer({ token: installToken });
    const api = await startTestApi(dialect, { KEYWAY_RETRY_INITIAL_DELAY_MS: '30', KEYWAY_RETRY_MAX_DELAY_MS: '200', KEYWAY_RECONCILE_EVERY_MS: '250' });
    try {
      const credentials = { login: 'demo-partner', password: 'demo-password', timeoutMs: 2000 };
      const xml = await api.request<Body>('POST', '/api/v1/ka-configurations', { body: { name: 'Plesk keys', plugin: 'parallels-ka', settings: { ...credentials, endpoint: xmlrpc.url, clientId: 1001 } } });
      const ras = await api.request<Body>('POST', '/api/v1/ka-configurations', { body: { name: 'RAS keys', plugin: 'soap-ka', settings: { ...credentials, endpoint: soap.url } } });
      t.is(ras.status, 201);
      await waitFor(async () => (await api.request<Body>('GET', `/api/v1/ka-configurations/${ras.body.id}`)).body.status === 'configured', 'the SOAP configuration to fetch its products');
      const plan = await api.request<Body>('POST', '/api/v1/plans', {
        body: {
          code: 'two',
          name: 'Two protocols',
          periods: [12],
          services: [{ key: 'hosting', kind: 'hosting', provisioner: 'instant', settings: { installUrl: target.url, installToken, ips: ['203.0.113.20'] } }],
          licenseProducts: [
            { configurationId: xml.body.id, product: 'PLESK-12-WEB-HOST', serviceKey: 'hosting' },
            { configurationId: ras.body.id, product: 'RAS-SUBSCRIPTION', quantity: 10, serviceKey: 'hosting' },
          ],
        },
      });
      const customer = await api.request<Body>('POST', '/api/v1/customers', { body: { name: 'Two', email: 'two@example.com' } });
      // The SOAP KA creates the key, then the connection drops before the answer.
      xmlrpc.authority.injectFault('CreateKey', { kind: 'drop' }, { times: 1 });
      const order = await api.request<Body>('POST', '/api/v1/orders', { body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference: 'two-1' } });
      const paid = await api.request<{ subscription: Body }>('POST', `/api/v1/orders/${order.body.id}/pay`, { body: { paymentReference: 'p' } });
      const subscriptionId = paid.body.subscription.id as number;
      const subscription = await waitFor(async () => {
        const s = await api.request<{ licenses: Body[] }>('GET', `/api/v1/subscriptions/${subscriptionId}`);
        return s.body.licenses.length === 2 && s.body.licenses.every((l) => l.status === 'installed') ? s.body : undefined;
      }, 'both licenses to be installed', 30_000);
      t.deepEqual(subscription.licenses.map((l) => l.configurationId).sort(), [xml.body.id, ras.body.id].sort());

      const keys = xmlrpc.authority.listKeys().filter((k) => k.kind === 'MAIN' || k.productId === 'RAS-SUBSCRIPTION');
      t.deepEqual(keys.map((k) => k.keyNumber).sort(), subscription.licenses.map((l) => l.keyNumber as string).sort());
      t.is(keys.filter((k) => k.productId === 'RAS-SUBSCRIPTION').length, 1);

      const tabs = await api.request<{ data: Body[] }>('GET', '/api/v1/license-tabs');
      const totals = Object.fromEntries(tabs.body.data.map((tab) => [tab.name, tab.total]));
      t.deepEqual(totals, { 'Plesk keys': 1, 'RAS keys': 1 });
      const rasRequest = (await api.request<{ data: Body[] }>('GET', `/api/v1/license-requests?configurationId=${ras.body.id}`)).body.data[0];
      const history = (await api.request<{ history: Body[] }>('GET', `/api/v1/license-requests/${rasRequest?.id}`)).body.history.map((h) => h.action);
      t.true(history.includes('license_request.lookup'), 'the retry looked the key up by external id');
    } finally {
      await api.close();
      await Promise.all([xmlrpc.close(), soap.close(), target.close()]);
    }
  });
}
