import test from 'ava';
import { conformanceServerOnAuthority, runKaConformance } from '../../../src/plugin-sdk/conformance/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin from '../index.js';
import { startReferenceRestKa } from '../src/reference-server.js';

const TIMEOUT_MS = 800;
const MAX_RESPONSE_BYTES = 64 * 1024;

const makeServer = conformanceServerOnAuthority({
  async start(authority) {
    const ka = await startReferenceRestKa({ authority });
    const settings = {
      endpoint: ka.url,
      login: DEMO_ACCOUNT.login,
      password: DEMO_ACCOUNT.password,
      timeoutMs: TIMEOUT_MS,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    };
    return { settings, close: () => ka.close() };
  },
  timeoutMs: TIMEOUT_MS,
  maxResponseBytes: MAX_RESPONSE_BYTES,
  product: 'VZ-CONTAINERS',
  orderTerms: { quantity: 3, periodMonths: 24, features: ['FT-BACKUP'] },
  upgradeFeature: 'FT-HA',
  renewPeriodMonths: 12,
  operations: { issue: 'createKey', lookup: 'findKeys', retrieve: 'retrieveKey', test: 'ping', renew: 'renewKey' },
  refusals: { retryable: 'SERVICE_BUSY', permanent: 'QUOTA_EXCEEDED' },
  referenceOf: (key) => key.externalId,
});

runKaConformance(test, {
  title: 'rest-ka',
  makeServer,
  makeAdapter: plugin.createAdapter,
  definition: plugin.definition,
});
