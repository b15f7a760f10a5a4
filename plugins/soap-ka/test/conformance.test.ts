import test from 'ava';
import type { ConformanceOperation, ConformanceServer } from '../../../src/plugin-sdk/conformance/index.js';
import { runKaConformance } from '../../../src/plugin-sdk/conformance/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin from '../index.js';
import { startReferenceSoapKa } from '../src/reference-server.js';

const OPERATION_FOR: Record<ConformanceOperation, string> = {
  issue: 'CreateKey',
  lookup: 'FindKeysByExternalId',
  retrieve: 'RetrieveLicenseFile',
  test: 'Ping',
};

const TIMEOUT_MS = 800;

async function makeServer(): Promise<ConformanceServer> {
  const ka = await startReferenceSoapKa();
  return {
    settings: { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password, timeoutMs: TIMEOUT_MS },
    timeoutMs: TIMEOUT_MS,
    product: 'RAS-SUBSCRIPTION',
    injectFault: (operation, fault, times) => {
      // SERVICE_BUSY is documented retryable; QUOTA_EXCEEDED is not.
      const injected = fault.kind === 'error' ? { kind: 'result' as const, code: fault.retryable ? 'SERVICE_BUSY' : 'QUOTA_EXCEEDED' } : fault;
      ka.authority.injectFault(OPERATION_FOR[operation], injected, { times });
    },
    clearFaults: () => ka.authority.clearFaults(),
    keysAtKa: async () =>
      ka.authority
        .listKeys()
        .filter((key) => key.kind === 'MAIN')
        .map((key) => ({ keyNumber: key.keyNumber, reference: key.externalId })),
    close: () => ka.close(),
  };
}

runKaConformance(test, { title: 'soap-ka', makeServer, makeAdapter: plugin.createAdapter, definition: plugin.definition });
