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

test('quantity, additional keys and farms over REST: a refusal names what is left, deactivate frees the key', async (t) => {
  const ka = await startReferenceRestKa();
  t.teardown(() => ka.close());
  const adapter = plugin.createAdapter(
    { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password },
    context,
  );
  const key = await adapter.issueKey({ ...order('kw-q-1'), quantity: 10 });
  t.like(await adapter.changeQuantity?.(key.keyNumber, { quantity: 20 }), {
    quota: 20,
    quotaUnit: 'containers',
    keyType: 'primary',
  });
  const sub = await adapter.createAdditionalKey?.(key.keyNumber, { quota: 15, name: 'Lab', reference: 'kw-q-sub' });
  t.like(sub, { keyType: 'additional', parentKeyNumber: key.keyNumber, quota: 15, name: 'Lab' });
  t.is((await adapter.getKeyInfo?.(key.keyNumber))?.quotaReserved, 15);
  const refused = await adapter
    .createAdditionalKey?.(key.keyNumber, { quota: 6, reference: 'kw-q-sub2' })
    .catch((e: unknown) => e);
  t.true(isKaError(refused));
  if (isKaError(refused)) t.like(refused, { code: 'business_rule', quota: { unit: 'containers', remaining: 5 } });
  const lowered = await adapter.changeQuantity?.(key.keyNumber, { quantity: 10 }).catch((e: unknown) => e);
  if (isKaError(lowered)) t.is(lowered.quota?.reserved, 15);
  else t.fail('a quantity below the reservations must be refused');
  t.like(await adapter.modifyAdditionalKey?.(sub?.keyNumber ?? '', { quota: 20 }), { quota: 20 });

  ka.authority.activateKey(DEMO_ACCOUNT.clientId, key.keyNumber, 'srv-a', { farmName: 'Main', usage: 3 });
  const [farm] = (await adapter.listActivations?.(key.keyNumber)) ?? [];
  t.like(farm, { activationKey: key.keyNumber, farmName: 'Main', status: 'active', peakUsage: 3, movesLeft: 3 });
  await adapter.deactivate?.(key.keyNumber, [key.keyNumber]);
  t.is((await adapter.listActivations?.(key.keyNumber))?.[0]?.status, 'deactivated');
  const other = await adapter.issueKey({ ...order('kw-q-2'), quantity: 1 });
  const stranger = await adapter.deactivate?.(key.keyNumber, [other.keyNumber]).catch((e: unknown) => e);
  t.true(isKaError(stranger) && stranger.code === 'permission_denied');
  await adapter.deleteAdditionalKey?.(sub?.keyNumber ?? '');
  t.is((await adapter.getKeyInfo?.(key.keyNumber))?.quotaReserved, 0);
  t.true((await adapter.getKeyInfo?.(sub?.keyNumber ?? ''))?.terminated);
});
