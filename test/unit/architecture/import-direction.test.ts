import { fileURLToPath } from 'node:url';
import test from 'ava';
import { importEdges } from '../../../scripts/architecture/import-graph.js';
import { importViolations, staleStoreImports } from '../../../scripts/architecture/import-rules.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('every import of src, plugins and scripts goes the way docs/architecture.md allows', (t) => {
  const edges = importEdges(repo);
  t.true(edges.length > 1000, 'the graph was read');
  t.deepEqual(importViolations(edges), []);
});

test('the list of cross-feature store imports still to remove holds only ones that still occur', (t) => {
  t.deepEqual(staleStoreImports(importEdges(repo)), []);
});

const wrongWay: Array<[string, string, RegExp]> = [
  ['plugins/rest-ka/src/rest-ka-adapter.ts', 'src/reference-ka/index.ts', /plugin may not import reference-ka/],
  ['plugins/rest-ka/src/rest-ka-adapter.ts', 'src/infra/db/database.ts', /plugin may not import foundation/],
  ['plugins/rest-ka/src/rest-ka-adapter.ts', 'plugins/soap-ka/src/soap-ka-adapter.ts', /another plugin/],
  ['src/features/plans/plan-routes.ts', 'plugins/rest-ka/index.ts', /feature may not import plugin/],
  ['src/features/plans/plan-routes.ts', 'src/composition-root.ts', /feature may not import root/],
  ['src/features/plans/plan-routes.ts', 'src/web/render.ts', /feature may not import web/],
  ['src/features/plans/plan-routes.ts', 'src/provisioning/license-pipeline.ts', /feature may not import provisioning/],
  ['src/features/plans/plan-routes.ts', 'src/read-models/names.ts', /feature may not import read-models/],
  ['src/features/audit/audit-routes.ts', 'src/features/auth/token-store.ts', /only lower ones/],
  ['src/features/subscriptions/subscription-routes.ts', 'src/features/orders/order-store.ts', /only lower ones/],
  ['src/features/licenses/license-routes.ts', 'src/features/orders/order-store.ts', /another feature's store/],
  ['src/infra/db/database.ts', 'src/features/audit/audit-store.ts', /foundation may not import feature/],
  ['src/http/access.ts', 'src/features/auth/token-store.ts', /http may not import feature/],
  ['src/kernel/principal.ts', 'src/features/audit/audit-event.ts', /kernel may not import feature/],
  ['src/provisioning/engine/provisioning-engine.ts', 'src/features/services/service.ts', /engine may not import/],
  ['src/web/routes/order-web-routes.tsx', 'src/provisioning/license-pipeline.ts', /web may not import provisioning/],
  ['src/web/web-console.ts', 'src/composition-root.ts', /web may not import root/],
  ['src/read-models/names.ts', 'src/web/render.ts', /read-models may not import web/],
  ['scripts/user-create.ts', 'src/web/render.ts', /scripts may not import web/],
  ['src/newlayer/thing.ts', 'src/kernel/actor.ts', /in no layer/],
];

for (const [from, to, why] of wrongWay) {
  test(`the check refuses ${from} -> ${to}`, (t) => {
    const problems = importViolations([{ from, to }]);
    t.is(problems.length, 1);
    t.regex(problems[0] ?? '', why);
  });
}

test('the exceptions are the reference fronts: a plugin reference server may import the reference authority', (t) => {
  t.deepEqual(
    importViolations([{ from: 'plugins/rest-ka/src/reference-server.ts', to: 'src/reference-ka/index.ts' }]),
    [],
  );
  t.deepEqual(
    importViolations([{ from: 'plugins/rest-ka/index.ts', to: 'plugins/rest-ka/src/reference-server.ts' }]),
    [],
  );
  t.is(
    importViolations([
      { from: 'plugins/rest-ka/src/rest-ka-adapter.ts', to: 'plugins/rest-ka/src/reference-server.ts' },
    ]).length,
    1,
  );
});
