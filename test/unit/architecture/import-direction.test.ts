import { fileURLToPath } from 'node:url';
import test from 'ava';
import { importEdges } from '../../../scripts/architecture/import-graph.js';
import { importViolations } from '../../../scripts/architecture/import-rules.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('every import of src, plugins and scripts goes the way docs/architecture.md allows', (t) => {
  const edges = importEdges(repo);
  t.true(edges.length > 1000, 'the graph was read');
  t.deepEqual(importViolations(edges), []);
});

// No exception list: a feature importing a lower feature's store fails, these (once allowed) included.
const storeImports: Array<[string, string]> = [
  ['src/features/orders/order-service.ts', 'src/features/customers/customer-store.ts'],
  ['src/features/orders/order-service.ts', 'src/features/plans/plan-store.ts'],
  ['src/features/orders/order-service.ts', 'src/features/subscriptions/subscription-store.ts'],
  ['src/features/orders/order-service.ts', 'src/features/license-requests/license-request-store.ts'],
  ['src/features/license-requests/license-request-release.ts', 'src/features/subscriptions/subscription-store.ts'],
  ['src/features/licenses/license-query-service.ts', 'src/features/ka-configurations/ka-configuration-store.ts'],
  ['src/features/licenses/license-lifecycle.ts', 'src/features/license-requests/license-request-store.ts'],
  ['src/features/licenses/licenses-feature.ts', 'src/features/subscriptions/subscription-store.ts'],
  ['src/features/uploads/manual-license-service.ts', 'src/features/licenses/license-store.ts'],
  ['src/features/uploads/manual-license-service.ts', 'src/features/license-requests/license-request-store.ts'],
  ['src/features/uploads/manual-license-service.ts', 'src/features/subscriptions/subscription-store.ts'],
  ['src/features/uploads/manual-licenses-feature.ts', 'src/features/ka-configurations/ka-configuration-store.ts'],
  ['src/features/webhooks/webhook-service.ts', 'src/features/events/outbox-store.ts'],
];

for (const [from, to] of storeImports) {
  test(`a feature never imports another feature's store: ${from} -> ${to} fails`, (t) => {
    const problems = importViolations([{ from, to }]);
    t.is(problems.length, 1);
    t.regex(problems[0] ?? '', /imports another feature's store/);
  });
}

test("the audit log's store is the one every feature may import, and a lower feature's port or type is allowed", (t) => {
  t.deepEqual(
    importViolations([
      { from: 'src/features/uploads/manual-license-service.ts', to: 'src/features/audit/audit-store.ts' },
      { from: 'src/features/uploads/manual-license-service.ts', to: 'src/features/licenses/license-port.ts' },
      { from: 'src/features/uploads/manual-license-service.ts', to: 'src/features/licenses/license.ts' },
      { from: 'src/features/orders/order-service.ts', to: 'src/features/subscriptions/subscription-port.ts' },
    ]),
    [],
  );
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
