import test from 'ava';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import { startReferenceRestKa } from '../src/reference-server.js';

const auth = `Basic ${Buffer.from(`${DEMO_ACCOUNT.login}:${DEMO_ACCOUNT.password}`).toString('base64')}`;

async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  authorization = auth,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const errorCode = (body: Record<string, unknown>): unknown => (body.error as { code?: unknown } | undefined)?.code;

test('Partner API 3.0: Basic auth, idempotent create on externalId, a quantity required for counted keys, search by prefix', async (t) => {
  const ka = await startReferenceRestKa();
  t.teardown(() => ka.close());

  const refused = await call(ka.url, 'GET', '/30/ping', undefined, 'Basic bm86cGU=');
  t.deepEqual([refused.status, errorCode(refused.body)], [401, 'AUTH_FAILED']);

  const noQuantity = await call(ka.url, 'POST', '/30/keys', { product: 'VZ-CONTAINERS', externalId: 'kw-x-1' });
  t.deepEqual([noQuantity.status, errorCode(noQuantity.body)], [400, 'QUANTITY_REQUIRED']);

  const order = {
    product: 'VZ-CONTAINERS',
    externalId: 'kw-x-1',
    quantity: 4,
    periodMonths: 12,
    features: ['FT-BACKUP'],
  };
  const created = await call(ka.url, 'POST', '/30/keys', order);
  t.is(created.status, 201);
  const key = created.body.key as Record<string, unknown>;
  t.like(key, {
    externalId: 'kw-x-1',
    product: 'VZ-CONTAINERS',
    kind: 'MAIN',
    status: 'ACTIVE',
    quantity: 4,
    periodMonths: 12,
    features: ['FT-BACKUP'],
  });
  const again = await call(ka.url, 'POST', '/30/keys', order);
  t.deepEqual(
    [again.status, (again.body.key as Record<string, unknown>).keyNumber],
    [200, key.keyNumber],
    'a repeated create answers the first key',
  );

  await call(ka.url, 'POST', '/30/keys', { ...order, externalId: 'kw-x-12' });
  const found = await call(ka.url, 'GET', '/30/keys?externalId=kw-x-1');
  t.deepEqual(
    (found.body.keys as Array<Record<string, unknown>>).map((k) => k.externalId).sort(),
    ['kw-x-1', 'kw-x-12'],
    'the search matches by prefix, as documented',
  );
});

test('Partner API 3.0: key actions, a wrong verb answered 405 with Allow, files, faults armed through the admin surface', async (t) => {
  const ka = await startReferenceRestKa();
  t.teardown(() => ka.close());
  const key = (await call(ka.url, 'POST', '/30/keys', { product: 'VZ-CONTAINERS', externalId: 'kw-y-1', quantity: 1 }))
    .body.key as Record<string, unknown>;
  const path = `/30/keys/${String(key.keyNumber)}`;

  const wrongVerb = await call(ka.url, 'POST', `${path}/renew`, {});
  t.deepEqual([wrongVerb.status, wrongVerb.headers.get('allow')], [405, 'PUT']);
  const renewed = await call(ka.url, 'PUT', `${path}/renew`, {});
  t.true(String((renewed.body.key as Record<string, unknown>).expiresAt) > String(key.expiresAt));
  const file = (await call(ka.url, 'GET', `${path}/retrieve`)).body.file as Record<string, unknown>;
  t.like(file, { keyNumber: key.keyNumber, fileName: `${String(key.keyNumber)}.xml`, contentType: 'application/xml' });
  t.true(Buffer.from(String(file.content), 'base64').toString().includes(String(key.keyNumber)));
  t.is(((await call(ka.url, 'PUT', `${path}/suspend`, {})).body.key as Record<string, unknown>).status, 'SUSPENDED');
  t.is(((await call(ka.url, 'DELETE', path)).body.key as Record<string, unknown>).status, 'TERMINATED');

  const armed = await fetch(`${ka.url}/_reference/faults`, {
    method: 'POST',
    body: JSON.stringify({ method: 'ping', fault: { kind: 'result', code: 'RATE_LIMITED' }, times: 1 }),
  });
  t.is(armed.status, 201);
  const limited = await call(ka.url, 'GET', '/30/ping');
  t.deepEqual(
    [limited.status, errorCode(limited.body), limited.headers.get('retry-after')],
    [429, 'RATE_LIMITED', '1'],
  );
  t.is((await call(ka.url, 'GET', '/30/ping')).status, 200, 'the fault played once');
});
