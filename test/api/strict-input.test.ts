import test from 'ava';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi } from '../helpers/test-server.js';

type ErrorBody = { error: { code: string; message: string; details?: { fields?: Array<{ field: string }> } } };

for (const dialect of testDialects()) {
  test(`${dialect}: a JSON route refuses a body that is not JSON with 415, and unknown fields with 400 naming them; nothing is created`, async (t) => {
    const api = await startTestApi(dialect);
    t.teardown(() => api.close());
    const count = async () => Number((await api.running.context.db('customers').count({ n: '*' }).first())?.n);
    const before = await count();

    const noType = await fetch(`${api.url}/api/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.adminToken}` },
      body: JSON.stringify({ name: 'Ada', email: 'ada@example.com' }),
    });
    t.is(noType.status, 415);
    const noTypeBody = (await noType.json()) as ErrorBody;
    t.is(noTypeBody.error.code, 'unsupported_media_type');
    t.regex(noTypeBody.error.message, /application\/json/);

    const form = await api.request<ErrorBody>('POST', '/api/v1/customers', {
      rawBody: 'name=Ada&email=ada%40example.com',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    t.is(form.status, 415);

    const unknown = await api.request<ErrorBody>('POST', '/api/v1/customers', {
      body: { name: 'Ada', email: 'ada@example.com', quantity: 20, nickname: 'A' },
    });
    t.is(unknown.status, 400);
    t.deepEqual(unknown.body.error.details?.fields?.map((f) => f.field).sort(), ['nickname', 'quantity']);
    t.is(await count(), before, 'nothing created');

    const ok = await api.request('POST', '/api/v1/customers', { body: { name: 'Ada', email: 'ada@example.com' } });
    t.is(ok.status, 201);
  });
}

test('the API document says every JSON body takes no other fields', async (t) => {
  const api = await startTestApi('sqlite');
  t.teardown(() => api.close());
  const doc = (
    await api.request<{ paths: Record<string, Record<string, Record<string, unknown>>> }>('GET', '/api/v1/openapi.json')
  ).body;
  const bodies: Array<[string, Record<string, unknown>]> = [];
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, operation] of Object.entries(methods)) {
      const content = (operation.requestBody as { content?: Record<string, { schema?: Record<string, unknown> }> })
        ?.content;
      const schema = content?.['application/json']?.schema;
      if (schema?.type === 'object') bodies.push([`${method} ${path}`, schema]);
    }
  t.true(bodies.length > 20);
  t.deepEqual(
    bodies.filter(([, schema]) => schema.additionalProperties !== false).map(([name]) => name),
    [],
  );
});
