/**
 * The conformance kit's mutation self-test:
 *   npm run plugin:kit-self-test
 * Makes each mistake of scripts/plugin-kit/kit-mutations.ts in a copy of plugins/rest-ka and
 * runs the kit on it. Exits 1 when the kit stays green on any mistake (or says nothing of what
 * to fix), or is not green on the plugin as it is.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runKitSelfTest } from './plugin-kit/kit-self-test.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const verdicts = await runKitSelfTest(root);
for (const verdict of verdicts) {
  const what = verdict.mutation
    ? verdict.failed.length
      ? `caught by: ${verdict.failed.join('; ')}${verdict.ok ? '' : ` — but no message says "${verdict.mutation.hint}"`}`
      : 'NOT CAUGHT: the kit stayed green'
    : `${verdict.passed} kit tests, ${verdict.failed.length} failed${verdict.failed.length ? `: ${verdict.failed.join('; ')}` : ''}`;
  process.stdout.write(`${verdict.ok ? 'ok  ' : 'FAIL'} ${verdict.name}: ${what}\n`);
}
const bad = verdicts.filter((v) => !v.ok).length;
process.stdout.write(
  bad ? `\n${bad} of ${verdicts.length} checks failed\n` : `\nThe kit caught all ${verdicts.length - 1} mistakes\n`,
);
process.exit(bad ? 1 : 0);
