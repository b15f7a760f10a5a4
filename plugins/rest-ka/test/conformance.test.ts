import test from 'ava';
import type { ConformanceOperation, ConformanceServer } from '../../../src/plugin-sdk/conformance/index.js';
import { runKaConformance } from '../../../src/plugin-sdk/conformance/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin from '../index.js';
import { startReferenceRestKa } from '../src/reference-server.js';

const OPERATION_FOR: Record<ConformanceOperation, string> = { issue: 'createKey', lookup: 'findKeys', retrieve: 'retrieveKey', test: 'ping' };
const TIMEOUT_MS = 800;

async function makeServer(): Promise<ConformanceServer> {
  const ka = await startReferenceRestKa();
  return {
    settings: { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password, timeoutMs: TIMEOUT_MS },
    timeoutMs: TIMEOUT_MS,
    product: 'VZ-CONTAINERS',
    injectFault: (operation, fault, times) => {
      const injected = fault.kind === 'error' ? { kind: 'result' as const, code: fault.retryable ? 'SERVICE_BUSY' : 'QUOTA_EXCEEDED' } : fault;
      ka.authority.injectFault(OPERATION_FOR[operation], injected, { times });
    },
    clearFaults: () => ka.authority.clearFaults(),
    keysAtKa: async () => ka.authority.listKeys().filter((k) => k.kind === 'MAIN').map((k) => ({ keyNumber: k.keyNumber, reference: k.externalId })),
    close: () => ka.close(),
  };
}

runKaConformance(test, { title: 'rest-ka', makeServer, makeAdapter: plugin.createAdapter, definition: plugin.definition });
