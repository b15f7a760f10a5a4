/**
 * `npm run test:unit` runs this one file, which loads every unit test file in one process:
 * ava starts a process per file, and on a busy machine starting them costs more than the
 * tests. Each file also runs alone (`npx ava <file>`); `npm run test:integration` leaves
 * these out (`ava.unit.config.js`), and the check below keeps both lists the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain JavaScript config beside package.json, without types.
import { unitFiles } from '../ava.unit.config.js';
import './unit/architecture/import-direction.test.ts';
import './unit/infra/one-transaction.test.ts';
import './unit/infra/batch-gate.test.ts';
import './unit/infra/for-each-concurrently.test.ts';
import './unit/licenses/license-phase.test.ts';
import './unit/licenses/lifecycle-rules.test.ts';
import './unit/license-sync/sync-comparison.test.ts';
import './unit/license-sync/sync-pacer.test.ts';
import './unit/provisioning/scheduler-loop.test.ts';
import './unit/orders/order-service.test.ts';
import './unit/orders/order-store-fake.test.ts';
import './unit/services/service-provisioning.test.ts';
import './unit/services/service-store-fake.test.ts';
import './unit/uploads/manual-decisions.test.ts';
import './unit/usage/usage-rules.test.ts';
import './unit/web/form-input.test.ts';
import './provisioning/key-claim.test.ts';
import './provisioning/retry-policy.test.ts';
import './provisioning/ka-answer-checks.test.ts';
import './queue/backoff.test.ts';
import './infra/bounded-text.test.ts';
import './infra/secret-box.test.ts';
import './features/uploads/license-csv.test.ts';
import './reference-ka/bounded-xml-reader.test.ts';
import '../plugins/parallels-ka/test/xmlrpc-codec.test.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const imported = fs
  .readFileSync(fileURLToPath(import.meta.url), 'utf8')
  .split('\n')
  .flatMap((line) => /^import '(.+)';$/.exec(line)?.[1] ?? [])
  .map((file) => path.relative(root, path.resolve(path.dirname(fileURLToPath(import.meta.url)), file)));

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

const listed = (unitFiles as string[]).flatMap((pattern) =>
  pattern.endsWith('/**/*.test.ts')
    ? filesUnder(path.join(root, pattern.slice(0, -'/**/*.test.ts'.length)))
        .filter((f) => f.endsWith('.test.ts'))
        .map((f) => path.relative(root, f))
    : [pattern],
);
const missing = listed.filter((file) => !imported.includes(file));
if (missing.length) throw new Error(`test/unit-suite.ts does not import the unit test files ${missing.join(', ')}`);
