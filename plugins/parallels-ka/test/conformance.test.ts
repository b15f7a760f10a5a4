import test from 'ava';
import type { ConformanceOperation, ConformanceServer } from '../../../src/plugin-sdk/conformance/index.js';
import { runKaConformance } from '../../../src/plugin-sdk/conformance/index.js';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import plugin from '../index.js';
import { startReferenceXmlRpcKa } from '../src/reference-server.js';

const METHOD_FOR: Record<ConformanceOperation, string> = {
  issue: 'createKey',
  lookup: 'getKeyNumbers',
  retrieve: 'retrieveKey',
  test: 'validateLogin',
};

const TIMEOUT_MS = 800;

async function makeServer(): Promise<ConformanceServer> {
  const ka = await startReferenceXmlRpcKa();
  return {
    settings: {
      endpoint: `${ka.url}/xmlrpc`,
      login: DEMO_ACCOUNT.login,
      password: DEMO_ACCOUNT.password,
      clientId: DEMO_ACCOUNT.clientId,
      timeoutMs: TIMEOUT_MS,
    },
    timeoutMs: TIMEOUT_MS,
    product: 'PLESK-12-WEB-HOST',
    injectFault: (operation, fault, times) => {
      // 300 "KA internal error, try later" is retryable; 244 "feature not applicable" is not.
      const injected = fault.kind === 'error' ? { kind: 'result' as const, code: fault.retryable ? 300 : 244 } : fault;
      ka.authority.injectFault(METHOD_FOR[operation], injected, { times });
    },
    clearFaults: () => ka.authority.clearFaults(),
    keysAtKa: async () =>
      ka.authority
        .listKeys()
        .filter((key) => key.kind === 'MAIN')
        .map((key) => ({ keyNumber: key.keyNumber, reference: key.note?.replace(/^keyway request /, '') })),
    close: () => ka.close(),
  };
}

runKaConformance(test, {
  title: 'parallels-ka',
  makeServer,
  makeAdapter: plugin.createAdapter,
  definition: plugin.definition,
});
