import test from 'ava';
import { startTestApi, type TestApi } from '../helpers/test-server.js';

let api: TestApi;

test.before(async () => {
  api = await startTestApi('sqlite');
});
test.after.always(async () => {
  await api?.close();
});

// Defect 10 of the fault campaign: JSON answers could be cached by a shared cache and sniffed.
test('every JSON API answer, errors included, says no-store and nosniff', async (t) => {
  const viewer = (
    await api.request<Record<string, unknown>>('POST', '/api/v1/api-tokens', {
      body: { name: 'viewer', role: 'viewer' },
    })
  ).body.token as string;
  const cases: Array<[string, string, Parameters<TestApi['request']>[2], number]> = [
    ['GET', '/api/v1/plans', {}, 200],
    ['POST', '/api/v1/customers', { body: { name: 'C', email: 'c@example.com' } }, 201],
    ['GET', '/api/v1/openapi.json', { token: null }, 200],
    ['GET', '/api/v1/plans', { token: null }, 401],
    ['POST', '/api/v1/plans', { token: viewer, body: {} }, 403],
    ['GET', '/api/v1/orders/999999', {}, 404],
    ['GET', '/api/v1/no-such-route', {}, 404],
    ['GET', '/api/v1/orders/01', {}, 400],
    ['POST', '/api/v1/orders', { rawBody: '{"customerId":', headers: { 'content-type': 'application/json' } }, 400],
    ['POST', '/api/v1/orders', { body: { padding: 'x'.repeat(300_000) } }, 413],
    ['GET', '/api/v1/licenses?format=csv', {}, 200],
  ];
  for (const [method, path, options, status] of cases) {
    const res = await api.request(method, path, options);
    t.is(res.status, status, `${method} ${path}`);
    t.is(res.headers.get('cache-control'), 'no-store', `${method} ${path} ${status}`);
    t.is(res.headers.get('x-content-type-options'), 'nosniff', `${method} ${path} ${status}`);
  }
});
