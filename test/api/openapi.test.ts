import test from 'ava';
import { startTestApi, type TestApi } from '../helpers/test-server.js';

// biome-ignore lint/suspicious/noExplicitAny: the test walks a JSON document whose shape it asserts
type Json = Record<string, any>;

let api: TestApi;
test.before(async () => {
  api = await startTestApi('sqlite');
});
test.after.always(async () => {
  await api?.close();
});

test('the OpenAPI document is served without a token and describes every operation', async (t) => {
  const res = await api.request<Json>('GET', '/api/v1/openapi.json', { token: null });
  t.is(res.status, 200);
  const doc = res.body;
  t.is(doc.openapi, '3.1.0');
  const operations = Object.values(doc.paths as Json).flatMap((item) => Object.keys(item));
  t.true(operations.length > 40);

  const pay = doc.paths['/orders/{id}/pay'].post;
  t.deepEqual(pay['x-roles'], ['admin', 'operator', 'store']);
  t.deepEqual(
    pay.parameters.map((p: Json) => [p.name, p.in, p.required]),
    [['id', 'path', true]],
  );
  const body = pay.requestBody.content['application/json'].schema;
  t.deepEqual(body.required, ['paymentReference']);
  t.is(body.properties.paymentReference.maxLength, 120);
  t.is(pay.responses['4XX'].$ref, '#/components/responses/Error');

  // Query parameters come from the schema the route validates with, defaults included.
  const list = doc.paths['/licenses'].get;
  const limit = list.parameters.find((p: Json) => p.name === 'limit');
  t.like(limit, { in: 'query', required: false, schema: { default: 50, maximum: 200 } });
  t.deepEqual(list.parameters.find((p: Json) => p.name === 'format').schema.enum, ['json', 'csv']);

  // The webhook callback needs no token; New License takes JSON or a multipart upload.
  t.deepEqual(doc.paths['/services/{id}/ready'].post.security, []);
  t.deepEqual(Object.keys(doc.paths['/licenses'].post.requestBody.content).sort(), [
    'application/json',
    'multipart/form-data',
  ]);
  t.is(
    doc.paths['/licenses'].post.requestBody.content['multipart/form-data'].schema.properties.files.items.format,
    'binary',
  );

  // Headers a route reads are parameters too: the lifecycle actions take an Idempotency-Key.
  const renew = doc.paths['/licenses/{id}/renew'].post;
  t.like(
    renew.parameters.find((p: Json) => p.name === 'Idempotency-Key'),
    { in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 200 } },
  );
});

test('every documented operation is served from its declaration: its path ids are checked before anything else', async (t) => {
  const doc = (await api.request<Json>('GET', '/api/v1/openapi.json', { token: null })).body;
  const operations = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.keys(item).map((method) => ({ path, method })),
  );
  for (const { path, method } of operations) {
    // An id spelled wrong: a served route refuses it naming the parameter; an unserved one is a route 404.
    const url = `/api/v1${path.replace(/\{(\w+)\}/g, 'x')}`;
    const res = await api.request<Json>(method.toUpperCase(), url, method === 'get' ? {} : { body: {} });
    const name = `${method.toUpperCase()} ${path}`;
    t.not(res.body?.error?.details?.entity, 'route', `${name} is documented but not served`);
    const ids = [...path.matchAll(/\{(\w+)\}/g)].map(([, id]) => id);
    if (ids.length) {
      t.is(res.status, 400, name);
      t.deepEqual(
        res.body.error.details.fields.map((f: Json) => f.field),
        ids,
        name,
      );
    }
  }
});
