import test from 'ava';
import { Router } from 'express';
import { z } from 'zod';
import { apiOperations } from '../../src/api-operations.js';
import { allow } from '../../src/http/access.js';
import type { ApiOperation } from '../../src/http/openapi/api-operation.js';
import { documentProblems } from '../../src/http/openapi/document-check.js';
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
  t.is(operations.length, apiOperations.length);

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

test('a route and its operation that disagree are named: undocumented, unserved, other roles', (t) => {
  const router = Router();
  const handler = () => {};
  router.get('/things', allow('admin', 'viewer'), handler);
  router.post('/things', allow('admin'), handler);
  router.get('/things/:id', handler);
  const operations: ApiOperation[] = [
    {
      method: 'get',
      path: '/things',
      summary: 'list',
      roles: ['viewer', 'admin'],
      answer: { status: 200, description: 'ok' },
    },
    {
      method: 'post',
      path: '/things',
      summary: 'create',
      roles: ['admin', 'operator'],
      body: z.object({}),
      answer: { status: 201, description: 'ok' },
    },
    {
      method: 'patch',
      path: '/things/:id',
      summary: 'change',
      roles: ['admin'],
      answer: { status: 200, description: 'ok' },
    },
  ];
  t.deepEqual(documentProblems([{ router, authenticated: true }], operations), [
    'POST /things allows admin, its operation says admin, operator',
    'GET /things/:id is served but has no operation in the API document',
    'PATCH /things/:id is in the API document but not served',
  ]);
  // The same routes in front of authentication must be documented as taking no token.
  const open = Router();
  open.post('/hooks', handler);
  t.deepEqual(
    documentProblems(
      [{ router: open, authenticated: false }],
      [{ method: 'post', path: '/hooks', summary: 'hook', roles: 'any', answer: { status: 200, description: 'ok' } }],
    ),
    ['POST /hooks allows none, its operation says any'],
  );
});
