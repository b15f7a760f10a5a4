import test from 'ava';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi } from '../helpers/test-server.js';

type Body = Record<string, unknown> & { error?: { code: string } };

for (const dialect of testDialects()) {
  test(`${dialect}: routes found by the fault campaign answer 404 for an id that names nothing, and change nothing`, async (t) => {
    const api = await startTestApi(dialect);
    t.teardown(() => api.close());
    const { db } = api.running.context;
    const audited = async () => Number((await db('audit_events').count({ n: '*' }).first())?.n);
    const before = await audited();

    // Was a 500 (a foreign key refused the secret of a configuration that does not exist).
    const secret = await api.request<Body>('POST', '/api/v1/ka-configurations/2147483000/usage-push-secret');
    t.is(secret.status, 404);
    t.is(secret.body.error?.code, 'not_found');
    // Was a 200 with an empty list.
    const keys = await api.request<Body>('GET', '/api/v1/licenses/2147483000/additional-keys');
    t.is(keys.status, 404);
    t.is(await audited(), before);

    // A configuration that exists gets its secret, shown once, and the rotation is audited without it.
    const created = await api.request<{ id: number }>('POST', '/api/v1/ka-configurations', {
      body: {
        name: 'Usage KA',
        plugin: 'rest-ka',
        settings: { endpoint: 'http://127.0.0.1:9', login: 'l', password: 'p' },
      },
    });
    t.is(created.status, 201);
    const rotated = await api.request<{ secret: string }>(
      'POST',
      `/api/v1/ka-configurations/${created.body.id}/usage-push-secret`,
    );
    t.is(rotated.status, 201);
    t.regex(rotated.body.secret, /^whsec_/);
    const event = await db('audit_events')
      .where({ action: 'ka_configuration.usage_push_secret_rotated', entity_id: String(created.body.id) })
      .first();
    t.truthy(event);
    t.false(JSON.stringify(event).includes(rotated.body.secret));
  });
}
