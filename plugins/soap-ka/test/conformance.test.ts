import test from 'ava';
import { conformanceServerOnAuthority, runKaConformance } from '../../../src/plugin-sdk/conformance/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin from '../index.js';
import { startReferenceSoapKa } from '../src/reference-server.js';

const TIMEOUT_MS = 800;
const MAX_RESPONSE_BYTES = 64 * 1024;

const makeServer = conformanceServerOnAuthority({
  async start(authority) {
    const ka = await startReferenceSoapKa({ authority });
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
  product: 'RAS-SUBSCRIPTION',
  orderTerms: { quantity: 5, periodMonths: 24, features: ['FT-PREMIUM-SUPPORT'] },
  renewPeriodMonths: 12,
  operations: {
    issue: 'CreateKey',
    lookup: 'FindKeysByExternalId',
    retrieve: 'RetrieveLicenseFile',
    test: 'Ping',
    renew: 'RenewKey',
  },
  // SERVICE_BUSY is documented retryable; QUOTA_EXCEEDED is not.
  refusals: { retryable: 'SERVICE_BUSY', permanent: 'QUOTA_EXCEEDED' },
  referenceOf: (key) => key.externalId,
});

runKaConformance(test, {
  title: 'soap-ka',
  makeServer,
  makeAdapter: plugin.createAdapter,
  definition: plugin.definition,
});
