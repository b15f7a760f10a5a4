import test from 'ava';
import { createPlanSchema } from '../../../src/features/plans/plan.js';
import { PlanStore } from '../../../src/features/plans/plan-store.js';
import { insertKaConfiguration } from '../../helpers/catalog-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let database: TestDatabase;
let configurationId: number;

test.before(async () => {
  database = await createTestDatabase('sqlite');
  configurationId = await insertKaConfiguration(database.db, 'Plan KA');
});
test.after.always(async () => {
  await database?.drop();
});

const planInput = (code: string) =>
  createPlanSchema.parse({
    code,
    name: code,
    periods: [12],
    services: [{ key: 'hosting', kind: 'hosting', provisioner: 'instant', settings: { ips: ['203.0.113.1'] } }],
    licenseProducts: [{ configurationId, product: 'P', serviceKey: 'hosting' }],
  });

test('a plan is read from the database once, then answered from the store without a query', async (t) => {
  const store = new PlanStore();
  const id = await store.insert(database.db, planInput('cached'));
  let queries = 0;
  const count = () => {
    queries += 1;
  };
  database.db.on('query', count);
  try {
    const first = await store.get(database.db, id);
    const afterFirst = queries;
    const second = await store.get(database.db, id);
    t.true(afterFirst > 0);
    t.is(queries, afterFirst);
    t.is(second, first);
    t.is(first?.licenseProducts[0]?.product, 'P');
  } finally {
    database.db.off('query', count);
  }
});

test('a cached plan cannot be changed by a caller, and an unknown id is not remembered', async (t) => {
  const store = new PlanStore();
  const plan = await store.get(database.db, await store.insert(database.db, planInput('frozen')));
  if (!plan) return t.fail('the plan was not found');
  t.throws(() => (plan.services as unknown[]).push({}), { instanceOf: TypeError });
  t.throws(() => Object.assign(plan.licenseProducts[0] as object, { product: 'changed' }), { instanceOf: TypeError });
  t.is(plan.licenseProducts[0]?.product, 'P');
  t.is(await store.get(database.db, 999_999), undefined);
  const later = await database.db('plans').insert({
    id: 999_999,
    code: 'late',
    name: 'late',
    periods: '[12]',
    created_at: Date.now(),
    updated_at: Date.now(),
  });
  t.truthy(later);
  t.is((await store.get(database.db, 999_999))?.code, 'late');
});
