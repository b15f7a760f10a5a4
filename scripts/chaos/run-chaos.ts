/**
 * `npm run chaos`: the fault campaign. Keyway as separate api and worker processes on its own
 * MariaDB database and its own Redis, the reference XML-RPC KA behind a fault proxy, a bounded
 * load of orders per scenario, and one table row per scenario. Exits 1 when any row shows a
 * duplicate key, a stuck request, a 5xx or another broken promise; 2 when it could not run.
 * `-- --short` for CI, `-- --full` (the default) for the long one, `-- --scenario <name>` for one.
 */
import { renderDetails, renderTable } from './campaign-report.js';
import { Campaign } from './campaign.js';
import { parseChaosOptions } from './chaos-options.js';
import { allScenarios, selectScenarios } from './scenarios/all-scenarios.js';

const print = (line: string) => process.stdout.write(`${line}\n`);

let options: ReturnType<typeof parseChaosOptions>;
let scenarios: ReturnType<typeof selectScenarios>;
try {
  options = parseChaosOptions(process.argv.slice(2), process.env);
  scenarios = selectScenarios(options.only);
} catch (err) {
  const asked = process.argv.includes('--help');
  (asked ? process.stdout : process.stderr).write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(asked ? 0 : 2);
}
if (options.list) {
  for (const s of allScenarios) print(`${s.name.padEnd(22)} ${s.summary}`);
  process.exit(0);
}

const campaign = new Campaign(options, print);
// The last resort: whatever ends this process, no child outlives it.
process.on('exit', () => campaign.processes.killAllNow());
let interrupted = false;
const interrupt = (signal: NodeJS.Signals, code: number) => {
  if (interrupted) {
    campaign.processes.killAllNow();
    process.exit(code);
  }
  interrupted = true;
  campaign.log(`${signal}: stopping every process and dropping the database (again to force)`);
  void campaign.teardown({ database: options.keep, logs: true }).finally(() => process.exit(code));
};
process.on('SIGINT', () => interrupt('SIGINT', 130));
process.on('SIGTERM', () => interrupt('SIGTERM', 143));
process.on('SIGHUP', () => interrupt('SIGHUP', 129));

let exitCode = 2;
try {
  const rows = await campaign.run(scenarios, (row) =>
    campaign.log(`${row.scenario}: ${row.failures.length ? 'FAIL' : 'pass'}`),
  );
  const failed = rows.some((r) => r.failures.length > 0);
  print(`\n${renderTable(rows)}\n\n${renderDetails(rows)}\n`);
  print(failed ? 'The campaign FAILED: see the ✗ lines above.' : 'The campaign passed.');
  exitCode = failed ? 1 : 0;
  await campaign.teardown({ database: options.keep, logs: options.keep || failed });
} catch (err) {
  process.stderr.write(
    `The campaign could not run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  await campaign.teardown({ database: options.keep, logs: true });
}
process.exit(exitCode);
