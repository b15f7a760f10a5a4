import test from 'ava';
import { conformanceServerOnAuthority, runKaConformance } from '../../../src/plugin-sdk/conformance/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin from '../index.js';
import { startReferenceXmlRpcKa } from '../src/reference-server.js';

const TIMEOUT_MS = 800;
const MAX_RESPONSE_BYTES = 64 * 1024;

const makeServer = conformanceServerOnAuthority({
  async start(authority) {
    const ka = await startReferenceXmlRpcKa({ authority });
    const settings = {
      endpoint: `${ka.url}/xmlrpc`,
      login: DEMO_ACCOUNT.login,
      password: DEMO_ACCOUNT.password,
      clientId: DEMO_ACCOUNT.clientId,
      timeoutMs: TIMEOUT_MS,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    };
    return { settings, close: () => ka.close() };
  },
  timeoutMs: TIMEOUT_MS,
  maxResponseBytes: MAX_RESPONSE_BYTES,
  product: 'PLESK-12-WEB-HOST',
  // Partner API 1.0 sells no quantity and no period: the key type's term applies.
  orderTerms: { features: ['FT-POWER-PACK'] },
  upgradeFeature: 'FT-100-DOMAINS',
  // No fixedTerms setting: every key is a monthly lease, renewed by its fixed month.
  renewPeriodMonths: 1,
  operations: {
    issue: 'createKey',
    lookup: 'getKeyNumbers',
    retrieve: 'retrieveKey',
    test: 'validateLogin',
    renew: 'renewKey',
  },
  // 300 "KA internal error, try later" is retryable; 244 "feature not applicable" is not.
  refusals: { retryable: 300, permanent: 244 },
  referenceOf: (key) => key.note?.replace(/^keyway request /, ''),
});

runKaConformance(test, {
  title: 'parallels-ka',
  makeServer,
  makeAdapter: plugin.createAdapter,
  definition: plugin.definition,
});
