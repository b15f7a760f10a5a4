import { accessSync, constants } from 'node:fs';
import test, { type TestFn } from 'ava';

/** Where the console tests find Chromium: `KEYWAY_CHROMIUM`, or the Debian package's path. */
export const chromiumPath = process.env.KEYWAY_CHROMIUM ?? '/usr/bin/chromium';

function chromiumMissing(): boolean {
  try {
    accessSync(chromiumPath, constants.X_OK);
    return false;
  } catch {
    return true;
  }
}

const howToInstall = `install it (Debian/Ubuntu: sudo apt-get install chromium) or set KEYWAY_CHROMIUM to its path`;

/**
 * `test` for the console tests, which drive a real Chromium. Without one they are skipped at
 * once, saying how to install it, instead of failing slowly; under `CI=true` a missing browser
 * fails the file, since CI must run them.
 */
export function consoleTest(): TestFn {
  if (!chromiumMissing()) return test;
  if (process.env.CI === 'true')
    throw new Error(`Chromium is not at ${chromiumPath} and CI=true needs the console tests: ${howToInstall}`);
  process.stderr.write(`Console tests skipped: Chromium is not at ${chromiumPath}; ${howToInstall}\n`);
  const skipped = Object.assign((title: string) => test.skip(`${title} (no Chromium)`, () => {}), {
    serial: (title: string) => test.serial.skip(`${title} (no Chromium)`, () => {}),
    before: () => {},
    after: Object.assign(() => {}, { always: () => {} }),
    beforeEach: () => {},
    afterEach: Object.assign(() => {}, { always: () => {} }),
  });
  return skipped as unknown as TestFn;
}
