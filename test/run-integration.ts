import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dropRunTemplates } from './helpers/template-database.js';
import { testMysqlUrl } from './helpers/test-env.js';

/**
 * `npm run test:integration`: ava over the integration tests with a run id, so their migrated
 * template databases are this run's own, and dropped when the run ends, whatever its outcome.
 * Extra arguments go to ava (`npm run test:integration -- test/api`).
 */
const runId = randomBytes(6).toString('hex');
// Set here too: the templates dropped at the end are named after it.
process.env.KEYWAY_TEST_RUN_ID = runId;
const ava = spawn(
  process.execPath,
  ['node_modules/ava/entrypoints/cli.mjs', '--config', 'ava.integration.config.js', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env: process.env,
  },
);
const forward = (signal: NodeJS.Signals) => ava.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code = await new Promise<number>((resolve) =>
  ava.once('exit', (exit, signal) => resolve(exit ?? (signal ? 1 : 0))),
);
try {
  await dropRunTemplates(testMysqlUrl);
} catch (err) {
  process.stderr.write(`could not drop this run's template databases: ${(err as Error).message}\n`);
}
process.exit(code);
