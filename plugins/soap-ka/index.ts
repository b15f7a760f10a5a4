import { defineKaPlugin } from '../../src/plugin-sdk/index.js';
import { SoapKaAdapter } from './src/soap-ka-adapter.js';
import { readSettings, SETTINGS } from './src/soap-ka-settings.js';

export { SoapKaAdapter } from './src/soap-ka-adapter.js';

/** The SOAP subscription KA (WSDL in `wsdl/`): subscription keys with a quota of users. */
export default defineKaPlugin({
  definition: {
    name: 'soap-ka',
    displayName: 'Subscription KA (SOAP)',
    version: '1.0.0',
    description:
      'Issues and manages subscription keys (concurrent-user quota, sublicenses) through a SOAP 1.1 document/literal KA.',
    settings: SETTINGS,
    capabilities: [
      'listProducts',
      'getKeyInfo',
      'renew',
      'suspend',
      'resume',
      'terminate',
      'changeQuantity',
      'createAdditionalKey',
      'modifyAdditionalKey',
      'deleteAdditionalKey',
      'listActivations',
      'deactivate',
      'fetchUsage',
    ],
  },
  createAdapter: (settings, context) => new SoapKaAdapter(readSettings(settings), context),
  referenceKa: {
    label: 'SOAP',
    async start(authority) {
      const { startReferenceSoapKa } = await import('./src/reference-server.js');
      const ka = await startReferenceSoapKa({ authority });
      return {
        url: ka.url,
        settings: { endpoint: ka.url, login: 'demo-partner', password: 'demo-password', timeoutMs: 5000 },
        close: () => ka.close(),
      };
    },
    demoOrder: { product: 'RAS-SUBSCRIPTION', quantity: 5 },
  },
});
