import { defineKaPlugin } from '../../src/plugin-sdk/index.js';
import { RestKaAdapter } from './src/rest-ka-adapter.js';
import { readSettings, SETTINGS } from './src/rest-ka-settings.js';

export { RestKaAdapter } from './src/rest-ka-adapter.js';

/** Partner API 3.0: a REST KA (Basic auth, JSON) with an external id on every key. */
export default defineKaPlugin({
  definition: {
    name: 'rest-ka',
    displayName: 'Partner API 3.0 (REST)',
    version: '1.0.0',
    description: 'Issues and manages keys with a quota (containers, users) through the REST Partner API 3.0.',
    settings: SETTINGS,
    capabilities: [
      'listProducts',
      'getKeyInfo',
      'renew',
      'upgrade',
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
  createAdapter: (settings, context) => new RestKaAdapter(readSettings(settings), context),
  referenceKa: {
    label: 'REST',
    async start(authority) {
      const { startReferenceRestKa } = await import('./src/reference-server.js');
      const ka = await startReferenceRestKa({ authority });
      return {
        url: ka.url,
        settings: { endpoint: ka.url, login: 'demo-partner', password: 'demo-password', timeoutMs: 5000 },
        close: () => ka.close(),
      };
    },
    demoOrder: { product: 'VZ-CONTAINERS', quantity: 10, features: ['FT-BACKUP'] },
  },
});
