import test from 'ava';
import { z } from 'zod';
import { bulkJobSchema } from '../../src/features/bulk-jobs/bulk-job-schema.js';
import { kaConfigurationSchema } from '../../src/features/ka-configurations/ka-configuration-schema.js';
import { licenseRequestDetailsSchema } from '../../src/features/license-requests/license-request-schema.js';
import {
  licenseDetailsSchema,
  licenseListItemSchema,
  licenseSchema,
  licenseSummarySchema,
} from '../../src/features/licenses/license-schema.js';
import { activationListSchema } from '../../src/features/licenses/activation-schema.js';
import { licenseSyncAnswerSchema } from '../../src/features/license-sync/sync-outcome-schema.js';
import { migrationAnswerSchema } from '../../src/features/migrations/migration-schema.js';
import { orderSchema } from '../../src/features/orders/order-schema.js';
import { licenseUsageSchema } from '../../src/features/usage/usage-schema.js';
import { validationErrorBodySchema } from '../../src/http/openapi/error-answers.js';
import { listAnswerSchema, pageSchema } from '../../src/http/response-schema.js';
import { subscriptionDetailsSchema } from '../../src/read-models/subscription-view-schema.js';
import { startTwoProtocolRig, type TwoProtocolRig } from '../helpers/two-protocol-rig.js';

// biome-ignore lint/suspicious/noExplicitAny: the test walks a JSON document whose shape it asserts
type Json = Record<string, any>;

let rig: TwoProtocolRig;
let doc: Json;
test.before(async () => {
  rig = await startTwoProtocolRig('sqlite', { planCode: 'schemas', ip: '203.0.113.40' });
  doc = (await rig.api.request<Json>('GET', '/api/v1/openapi.json', { token: null })).body;
});
test.after.always(async () => {
  await rig?.close();
});

/** The JSON Schema the document gives for an operation's answer with this status. */
function documented(path: string, method: string, status: string): Json {
  const answer = doc.paths[path]?.[method]?.responses?.[status];
  if (answer?.$ref) {
    const name = String(answer.$ref).split('/').pop() as string;
    const schema = doc.components.responses[name].content['application/json'].schema;
    return schema.$ref ? doc.components.schemas[String(schema.$ref).split('/').pop() as string] : schema;
  }
  return answer?.content?.['application/json']?.schema;
}

const asDocumented = (schema: z.ZodType) => {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });
  return json;
};

/**
 * The body is what the document says: the document's schema is this zod schema's, and the body
 * parses with it unchanged (parsing drops fields a schema does not name, so an undocumented field
 * fails the comparison, as it would fail the document's `additionalProperties: false`).
 */
function assertAnswers(
  t: import('ava').ExecutionContext,
  where: [path: string, method: string, status: string],
  schema: z.ZodType,
  body: unknown,
) {
  const name = `${where[1].toUpperCase()} ${where[0]} ${where[2]}`;
  t.deepEqual(documented(...where), asDocumented(schema), `${name}: the document describes the answer's schema`);
  const parsed = schema.safeParse(body);
  t.true(parsed.success, `${name}: ${parsed.error?.message}`);
  t.deepEqual(parsed.data, body, `${name}: every field of the answer is in its schema`);
}

test('every JSON operation in the document says what it answers with a schema, and its errors by reference', (t) => {
  const operations = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op: op as Json })),
  );
  t.true(operations.length > 60);
  for (const { name, op } of operations) {
    const [status, success] = Object.entries(op.responses as Json).find(([code]) => /^2\d\d$/.test(code)) ?? [];
    t.truthy(success, `${name} has a success answer`);
    const json = success.content['application/json'];
    if (json) t.true(Object.keys(json.schema).length > 0, `${name} ${status}: its JSON answer has a schema`);
    else t.is(success.content['application/octet-stream']?.schema.format, 'binary', `${name}: a file answer`);
    t.is(op.responses['4XX'].$ref, '#/components/responses/Error', name);
    if (op.parameters?.some((p: Json) => p.in === 'path'))
      t.is(op.responses['404'].$ref, '#/components/responses/NotFound', name);
    if (op.requestBody?.content['application/json']) {
      t.is(op.responses['400'].$ref, '#/components/responses/ValidationFailed', name);
      t.is(op.responses['415'].$ref, '#/components/responses/UnsupportedMediaType', name);
    }
  }
  // The shared answers are described once, in components.
  t.deepEqual(Object.keys(doc.components.responses).sort(), [
    'Conflict',
    'Error',
    'Forbidden',
    'NotFound',
    'PayloadTooLarge',
    'Unauthorized',
    'UnsupportedMediaType',
    'ValidationFailed',
  ]);
});

test('real answers on SQLite validate against the schemas the document gives for them', async (t) => {
  const { api } = rig;
  const { subscriptionId, licenses } = await rig.buyAndWaitInstalled('schemas-1');
  const subscription = (await api.request<Json>('GET', `/api/v1/subscriptions/${subscriptionId}`)).body;
  assertAnswers(t, ['/subscriptions/{id}', 'get', '200'], subscriptionDetailsSchema, subscription);
  t.is(subscription.licenses.length, 2);

  const order = (await api.request<Json>('GET', `/api/v1/orders/${subscription.orderId}`)).body;
  assertAnswers(t, ['/orders/{id}', 'get', '200'], orderSchema, order);

  const license = (await api.request<Json>('GET', `/api/v1/licenses/${licenses[0]?.id}`)).body;
  assertAnswers(t, ['/licenses/{id}', 'get', '200'], licenseDetailsSchema, license);
  t.true(license.files.length > 0, 'an installed license answers its files');

  const request = (await api.request<Json>('GET', `/api/v1/license-requests/${license.requestId}`)).body;
  assertAnswers(t, ['/license-requests/{id}', 'get', '200'], licenseRequestDetailsSchema(licenseSchema), request);
  t.is(request.license.id, license.id);

  const configuration = (await api.request<Json>('GET', `/api/v1/ka-configurations/${rig.xmlConfigurationId}`)).body;
  assertAnswers(t, ['/ka-configurations/{id}', 'get', '200'], kaConfigurationSchema, configuration);
  t.is(configuration.settings.password, '********', 'a secret setting answers the mask');

  const page = (await api.request<Json>('GET', '/api/v1/licenses?limit=1')).body;
  assertAnswers(t, ['/licenses', 'get', '200'], pageSchema(licenseListItemSchema), page);
  t.is(page.data.length, 1);
  t.is(typeof page.nextCursor, 'string');

  const refused = await api.request<Json>('POST', '/api/v1/orders', { body: { planId: 'one', seats: 20 } });
  t.is(refused.status, 400);
  assertAnswers(t, ['/orders', 'post', '400'], validationErrorBodySchema, refused.body);
  t.true(refused.body.error.details.fields.some((f: Json) => f.field === 'seats'));
});

test("a license's sync, usage, farms, additional keys and a migration's dry run answer as documented", async (t) => {
  const { api } = rig;
  const { licenses } = await rig.buyAndWaitInstalled('schemas-2');
  const license = licenses[0] as Json;

  const keys = (await api.request<Json>('GET', `/api/v1/licenses/${license.id}/additional-keys`)).body;
  assertAnswers(t, ['/licenses/{id}/additional-keys', 'get', '200'], listAnswerSchema(licenseSummarySchema), keys);

  const usage = await api.request<Json>('GET', `/api/v1/licenses/${license.id}/usage`);
  t.is(usage.status, 200);
  assertAnswers(t, ['/licenses/{id}/usage', 'get', '200'], licenseUsageSchema, usage.body);

  const synced = await api.request<Json>('POST', `/api/v1/licenses/${license.id}/sync`, { body: {} });
  t.is(synced.status, 200, JSON.stringify(synced.body));
  assertAnswers(t, ['/licenses/{id}/sync', 'post', '200'], licenseSyncAnswerSchema, synced.body);

  const farms = await api.request<Json>('GET', `/api/v1/licenses/${license.id}/activations`);
  if (farms.status === 200)
    assertAnswers(t, ['/licenses/{id}/activations', 'get', '200'], activationListSchema, farms.body);
  else t.is(farms.body.error.code, 'not_supported');

  const plan = await api.request<Json>('POST', '/api/v1/migrations', {
    body: {
      targetConfigurationId: rig.rasConfigurationId,
      productMap: { [license.product]: license.product },
      ids: [license.id],
      dryRun: true,
    },
  });
  t.is(plan.status, 200, JSON.stringify(plan.body));
  assertAnswers(t, ['/migrations', 'post', '201'], migrationAnswerSchema(bulkJobSchema), plan.body);
  t.is(plan.body.plan.count, 1);
});
