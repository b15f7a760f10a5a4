import { defineKaPlugin } from '../../src/plugin-sdk/index.js';
import { readSettings, SETTINGS } from './src/parallels-ka-settings.js';
import { XmlRpcKaAdapter } from './src/xmlrpc-ka-adapter.js';

export { XmlRpcKaAdapter } from './src/xmlrpc-ka-adapter.js';

/** The KA XML-RPC partner protocol (Partner API 1.0). */
export default defineKaPlugin({
  definition: {
    name: 'parallels-ka',
    displayName: 'Key Administrator (XML-RPC)',
    version: '1.0.0',
    description: 'Issues and manages keys through the KA XML-RPC partner API (partner10.*).',
    settings: SETTINGS,
    capabilities: ['listProducts', 'getKeyInfo', 'renew', 'upgrade', 'terminate', 'deactivate'],
  },
  createAdapter: (settings, context) => new XmlRpcKaAdapter(readSettings(settings), context),
  referenceKa: {
    label: 'XML-RPC',
    async start(authority) {
      const { startReferenceXmlRpcKa } = await import('./src/reference-server.js');
      const ka = await startReferenceXmlRpcKa({ authority });
      const settings = {
        endpoint: ka.url,
        login: 'demo-partner',
        password: 'demo-password',
        clientId: 1001,
        timeoutMs: 5000,
      };
      return { url: ka.url, settings, close: () => ka.close() };
    },
    demoOrder: { product: 'PLESK-12-WEB-HOST', features: ['FT-POWER-PACK'] },
  },
});
