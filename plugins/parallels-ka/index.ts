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
    capabilities: ['listProducts', 'getKeyInfo', 'renew', 'upgrade', 'terminate'],
  },
  createAdapter: (settings, context) => new XmlRpcKaAdapter(readSettings(settings), context),
});
