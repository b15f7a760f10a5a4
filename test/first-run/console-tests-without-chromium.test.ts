import { execFile } from 'node:child_process';
import test from 'ava';

/** Runs one console test file in its own ava, with no Chromium where it looks. */
function runConsoleFile(env: Record<string, string>): Promise<{ code: number; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['node_modules/ava/entrypoints/cli.mjs', 'test/e2e/console-sign-in.test.ts'],
      { env: { ...process.env, KEYWAY_CHROMIUM: '/nonexistent/chromium', ...env }, timeout: 110_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}`, ms: Date.now() - started });
      },
    );
  });
}

test('without Chromium the console tests are skipped at once, saying how to install it', async (t) => {
  const { code, output, ms } = await runConsoleFile({ CI: 'false' });
  t.is(code, 0, output);
  t.regex(
    output,
    /Console tests skipped: Chromium is not at \/nonexistent\/chromium; install it \(Debian\/Ubuntu: sudo apt-get install chromium\)/,
  );
  t.regex(output, /skipped/);
  t.notRegex(output, /passed/);
  // No browser is started nor waited for: seconds, where a hang would be the two-minute timeout.
  t.true(ms < 90_000, `took ${ms} ms`);
});

test('under CI=true a missing Chromium fails the console tests, naming it', async (t) => {
  const { code, output } = await runConsoleFile({ CI: 'true' });
  t.not(code, 0);
  t.regex(output, /Chromium is not at \/nonexistent\/chromium and CI=true needs the console tests/);
});
