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
  test.serial(`${dialect}: staff suspend, resume, terminate and renew a license at its KA; what the plugin cannot do or the KA refuses changes nothing`, async (t) => {
    const xmlrpc = await startReferenceXmlRpcKa();
    const soap = await startReferenceSoapKa({ authority: xmlrpc.authority });
    const target = await startInstallTargetServer({ token: installToken });
    const api = await startTestApi(dialect, { KEYWAY_RETRY_INITIAL_DELAY_MS: '30', KEYWAY_RETRY_MAX_DELAY_MS: '200' });
    try {
      const credentials = { login: 'demo-partner', password: 'demo-password', timeoutMs: 2000 };
      const xml = await api.request<Body>('POST', '/api/v1/ka-configurations', { body: { name: 'Plesk keys', plugin: 'parallels-ka', settings: { ...credentials, endpoint: xmlrpc.url, clientId: 1001 } } });
      const ras = await api.request<Body>('POST', '/api/v1/ka-configurations', { body: { name: 'RAS keys', plugin: 'soap-ka', settings: { ...credentials, endpoint: soap.url } } });
      await waitFor(async () => (await api.request<Body>('GET', `/api/v1/ka-configurations/${ras.body.id}`)).body.status === 'configured', 'the SOAP configuration to fetch its products');
      const plan = await api.request<Body>('POST', '/api/v1/plans', {
        body: {
          code: 'lifecycle',
          name: 'Lifecycle',
          periods: [12],
          services: [{ key: 'hosting', kind: 'hosting', provisioner: 'instant', settings: { installUrl: target.url, installToken, ips: ['203.0.113.30'] } }],
          licenseProducts: [
            { configurationId: xml.body.id, product: 'PLESK-12-WEB-HOST', serviceKey: 'hosting' },
            { configurationId: ras.body.id, product: 'RAS-SUBSCRIPTION', quantity: 5, serviceKey: 'hosting' },
          ],
        },
      });
      const customer = await api.request<Body>('POST', '/api/v1/customers', { body: { name: 'Life', email: 'life@example.com' } });
      const order = await api.request<Body>('POST', '/api/v1/orders', { body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference: 'life-1' } });
      const paid = await api.request<{ subscription: Body }>('POST', `/api/v1/orders/${order.body.id}/pay`, { body: { paymentReference: 'p' } });
      const licenses = await waitFor(async () => {
        const s = await api.request<{ licenses: Body[] }>('GET', `/api/v1/subscriptions/${paid.body.subscription.id}`);
        return s.body.licenses.length === 2 && s.body.licenses.every((l) => l.status === 'installed') ? s.body.licenses : undefined;
      }, 'both licenses to be installed', 30_000);
      const rasLicense = licenses.find((l) => l.configurationId === ras.body.id) as Body;
      const pleskLicense = licenses.find((l) => l.configurationId === xml.body.id) as Body;
      const keyAtKa = (keyNumber: unknown) => xmlrpc.authority.listKeys().find((k) => k.keyNumber === keyNumber);

      const suspended = await api.request<Body>('POST', `/api/v1/licenses/${rasLicense.id}/suspend`, { body: { note: 'unpaid invoice' } });
      t.is(suspended.status, 200);
      t.is(suspended.body.status, 'suspended');
      t.true(keyAtKa(rasLicense.keyNumber)?.suspended);

      const resumed = await api.request<Body>('POST', `/api/v1/licenses/${rasLicense.id}/resume`);
      t.is(resumed.body.status, 'installed');
      t.false(keyAtKa(rasLicense.keyNumber)?.suspended);

      // The KA refuses: nothing changes in Keyway, and staff get the KA's answer.
      xmlrpc.authority.injectFault('TerminateKey', { kind: 'result', code: 500, message: 'KA maintenance' }, { times: 1 });
      const refused = await api.request<{ error: Body & { details: { error: Body } } }>('POST', `/api/v1/licenses/${rasLicense.id}/terminate`);
      t.is(refused.status, 502);
      t.is(refused.body.error.code, 'upstream_failed');
      t.like(refused.body.error.details.error, { kaMessage: 'KA maintenance', retryable: true });
      t.regex(String(refused.body.error.message), /did not terminate key RAS\./);
      t.false(keyAtKa(rasLicense.keyNumber)?.terminated);
      t.is((await api.request<Body>('GET', `/api/v1/licenses/${rasLicense.id}`)).body.status, 'installed');

      const terminated = await api.request<Body>('POST', `/api/v1/licenses/${rasLicense.id}/terminate`, { body: { note: 'contract ended' } });
      t.is(terminated.body.status, 'terminated');
      t.true(keyAtKa(rasLicense.keyNumber)?.terminated);
      const again = await api.request<{ error: Body }>('POST', `/api/v1/licenses/${rasLicense.id}/terminate`);
      t.is(again.status, 409);
      t.is(again.body.error.code, 'invalid_state');

      const history = (await api.request<{ history: Body[] }>('GET', `/api/v1/licenses/${rasLicense.id}`)).body.history;
      const lifecycle = history.filter((e) => String(e.action).startsWith('license.')).map((e) => [e.action, e.toState ?? null]);
      t.deepEqual(
        lifecycle.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        [
          ['license.resumed', 'installed'],
          ['license.suspended', 'suspended'],
          ['license.terminate_failed', null],
          ['license.terminated', 'terminated'],
        ],
      );

      // Renewing: new dates at once, then the pipeline fetches the renewed file and installs it.
      const keysBefore = xmlrpc.authority.listKeys().length;
      const before = (await api.request<Body & { files: Body[] }>('GET', `/api/v1/licenses/${pleskLicense.id}`)).body;
      const renewed = await api.request<Body>('POST', `/api/v1/licenses/${pleskLicense.id}/renew`, { body: { note: 'annual renewal' } });
      t.is(renewed.status, 200);
      t.true(Date.parse(String(renewed.body.expiresAt)) > Date.parse(String(before.expiresAt)));
      const requestId = before.requestId as number;
      await waitFor(async () => {
        const r = await api.request<{ state: string; history: Body[] }>('GET', `/api/v1/license-requests/${requestId}`);
        return r.body.state === 'installed' && r.body.history.some((e) => e.action === 'license_request.renewal_started') ? true : undefined;
      }, 'the renewed file to be installed');
      const after = (await api.request<Body & { files: Body[] }>('GET', `/api/v1/licenses/${pleskLicense.id}`)).body;
      t.is(after.status, 'installed');
      t.true(Date.parse(String(after.installedAt)) > Date.parse(String(before.installedAt)), 'installedAt is the reinstall');
      t.is(after.files.length, 1);
      t.not(after.files[0]?.sha256, before.files[0]?.sha256, 'the renewed file replaced the old one');
      // The target keeps the latest install of each license: it now holds the renewed file.
      t.is(target.installs().find((i) => i.licenseId === String(pleskLicense.id))?.files[0]?.sha256, String(after.files[0]?.sha256));
      t.is(xmlrpc.authority.listKeys().length, keysBefore, 'a renewal makes no new key');
      const renewalHistory = (await api.request<{ history: Body[] }>('GET', `/api/v1/license-requests/${requestId}`)).body.history.map((e) => e.action);
      t.deepEqual(renewalHistory.slice(renewalHistory.indexOf('license_request.renewal_started')), [
        'license_request.renewal_started',
        'license_request.files_retrieved',
        'license_request.installing',
        'license_request.installed',
      ]);

      // The XML-RPC plugin cannot suspend: refused before anything is sent.
      const unsupported = await api.request<{ error: Body }>('POST', `/api/v1/licenses/${pleskLicense.id}/suspend`);
      t.is(unsupported.status, 409);
      t.is(unsupported.body.error.code, 'not_supported');
      t.false(keyAtKa(pleskLicense.keyNumber)?.suspended);

      // Viewers read, they do not act.
      const viewer = await api.request<Body>('POST', '/api/v1/api-tokens', { body: { name: 'viewer', role: 'viewer' } });
      const forbidden = await api.request<Body>('POST', `/api/v1/licenses/${pleskLicense.id}/terminate`, { token: String(viewer.body.token) });
      t.is(forbidden.status, 403);
      t.false(keyAtKa(pleskLicense.keyNumber)?.terminated);
    } finally {
      await api.close();
      await Promise.all([xmlrpc.close(), soap.close(), target.close()]);
    }
  });
}
