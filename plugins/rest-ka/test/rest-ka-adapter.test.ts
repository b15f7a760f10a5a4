import test from 'ava';
import { createLogger } from '../../../src/infra/log/logger.js';
import { isKaError } from '../../../src/plugin-sdk/index.js';
import { DEMO_ACCOUNT, LicenseAuthority } from '../../../src/reference-ka/index.js';
import plugin from '../index.js';
import { startReferenceRestKa } from '../src/reference-server.js';

const context = { logger: createLogger('silent'), clock: () => new Date() };
const order = (reference: string) => ({
  requestId: reference,
  reference,
  product: 'VZ-CONTAINERS',
  features: [],
  quantity: 2,
  periodMonths: 12,
});

test('a rate-limited KA says how long to wait, and the adapter passes it on for the retry policy', async (t) => {
  const ka = await startReferenceRestKa();
  t.teardown(() => ka.close());
  const adapter = plugin.createAdapter(
    { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password },
    context,
  );
  ka.authority.injectFault('createKey', { kind: 'status', status: 429, retryAfterSeconds: 30 }, { times: 1 });
  const error = await adapter.issueKey(order('kw-a-1')).catch((e: unknown) => e);
  t.true(isKaError(error));
  if (isKaError(error))
    t.like(error, { code: 'unavailable', retryable: true, outcomeUnknown: false, retryAfterMs: 30_000 });
});

test('two keys carrying our reference (a KA whose create is not idempotent) are handed to staff, never picked', async (t) => {
  const ka = await startReferenceRestKa({ authority: new LicenseAuthority({ demo: true, idempotentCreate: false }) });
  t.teardown(() => ka.close());
  const adapter = plugin.createAdapter(
    { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password },
    context,
  );
  const first = await adapter.issueKey(order('kw-b-1'));
  const second = await adapter.issueKey(order('kw-b-1'));
  t.not(first.keyNumber, second.keyNumber);
  const lookup = await adapter.findKeyByRef(order('kw-b-1'), new Date(0));
  t.is(lookup.status, 'ambiguous');
  if (lookup.status === 'ambiguous') t.deepEqual(lookup.candidates.sort(), [first.keyNumber, second.keyNumber].sort());
});
