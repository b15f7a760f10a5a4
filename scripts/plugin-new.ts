/**
 * Scaffold a KA plugin:
 *   npm run plugin:new -- <name> [--dir <plugins folder>]
 * Writes plugins/<name>/ (or <dir>/<name>/, or $KEYWAY_PLUGINS_DIR/<name>/): definition,
 * adapter, settings, a conformance test, README. The new plugin compiles; its test fails, naming what to implement.
 * Note: the plugin host refuses to start with a plugin that fails validation, so finish the
 * definition before starting Keyway with the new folder in plugins/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scaffoldPlugin } from './plugin-kit/scaffold-plugin.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const usage = 'usage: npm run plugin:new -- <name> [--dir <plugins folder>]\n';

/** The plugin's name and the folder to write it in; usage and exit code 2 when the words are wrong. */
function readArguments(): { name: string; pluginsDir: string } {
  try {
    const { values, positionals } = parseArgs({ options: { dir: { type: 'string' } }, allowPositionals: true });
    const [name, ...extra] = positionals;
    if (name && extra.length === 0) {
      // The folder Keyway loads plugins from, unless told otherwise.
      return {
        name,
        pluginsDir: path.resolve(values.dir ?? process.env.KEYWAY_PLUGINS_DIR ?? path.join(root, 'plugins')),
      };
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
  }
  process.stderr.write(usage);
  process.exit(2);
}

const { name, pluginsDir } = readArguments();
try {
  const files = scaffoldPlugin({ name, pluginsDir, sdkDir: path.join(root, 'src', 'plugin-sdk') });
  process.stdout.write(
    `Created plugin ${name}:\n${files.map((f) => `  ${path.relative(process.cwd(), f)}`).join('\n')}\n`,
  );
  process.stdout.write(
    `Next: implement src/${name}-adapter.ts, point test/test-server.ts at a test KA, run the kit:\n  npx ava ${path.relative(process.cwd(), path.join(pluginsDir, name, 'test'))}\nSee docs/writing-a-ka-plugin.md.\n`,
  );
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
