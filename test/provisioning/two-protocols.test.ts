import test from 'ava';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig } from '../helpers/two-protocol-rig.js';

type Body = Record<string, unknown>;

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: a plan with an XML-RPC and a SOAP license yields two licenses in two tabs; a dropped SOAP answer still makes one key`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'two', ip: '203.0.113.20' });
      const { api, xmlrpc } = rig;
      try {
        // The SOAP KA creates the key, then the connection drops before the answer.
        xmlrpc.authority.injectFault('CreateKey', { kind: 'drop' }, { times: 1 });
        const subscription = await rig.buyAndWaitInstalled('two-1');
        t.deepEqual(
          subscription.licenses.map((l) => l.configurationId).sort(),
          [rig.xmlConfigurationId, rig.rasConfigurationId].sort(),
        );

        const keys = xmlrpc.authority.listKeys().filter((k) => k.kind === 'MAIN' || k.productId === 'RAS-SUBSCRIPTION');
        t.deepEqual(
          keys.map((k) => k.keyNumber).sort(),
          subscription.licenses.map((l) => l.keyNumber as string).sort(),
        );
        t.is(keys.filter((k) => k.productId === 'RAS-SUBSCRIPTION').length, 1);

        const tabs = await api.request<{ data: Body[] }>('GET', '/api/v1/license-tabs');
        const totals = Object.fromEntries(tabs.body.data.map((tab) => [tab.name, tab.total]));
        t.deepEqual(totals, { 'Plesk keys': 1, 'RAS keys': 1 });
        const rasRequest = (
          await api.request<{ data: Body[] }>(
            'GET',
            `/api/v1/license-requests?configurationId=${rig.rasConfigurationId}`,
          )
        ).body.data[0];
        const history = (
          await api.request<{ history: Body[] }>('GET', `/api/v1/license-requests/${rasRequest?.id}`)
        ).body.history.map((h) => h.action);
        t.true(history.includes('license_request.lookup'), 'the retry looked the key up by external id');
      } finally {
        await rig.close();
      }
    },
  );
}
