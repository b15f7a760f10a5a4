import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { KIT_MUTATIONS } from '../../scripts/plugin-kit/kit-mutations.js';
import { runKitSelfTest } from '../../scripts/plugin-kit/kit-self-test.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('the conformance kit fails, saying what to fix, on every mistake of the mutation self-test, and passes the plugin as it is', async (t) => {
  t.timeout(8 * 60_000);
  const verdicts = await runKitSelfTest(root);
  t.is(verdicts.length, KIT_MUTATIONS.length + 1);
  const [baseline, ...mutants] = verdicts;
  t.true(baseline?.ok, `the kit must pass plugins/rest-ka unchanged; failed: ${baseline?.failed.join('; ')}`);
  t.true((baseline?.passed ?? 0) >= 30, 'the whole kit ran on the unchanged plugin');
  for (const verdict of mutants) {
    t.true(verdict.failed.length > 0, `the kit stayed green on a plugin that ${verdict.name}`);
    t.true(
      verdict.ok,
      `the kit caught "${verdict.name}" without saying "${verdict.mutation?.hint}": ${verdict.messages.slice(0, 500)}`,
    );
  }
});

test('a mutation whose text is no longer in the plugin fails the self-test instead of passing it', async (t) => {
  const stale = {
    name: 'stale',
    file: 'plugins/rest-ka/src/rest-ka-adapter.ts',
    find: 'text that is not there',
    replace: '',
    tests: ['issueKey'],
    hint: 'x',
  };
  await t.throwsAsync(runKitSelfTest(root, [stale]), { message: /occurs 0 times, not once/ });
});
