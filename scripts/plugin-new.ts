/**
 * Scaffold a KA plugin:
 *   npm run plugin:new -- <name> [--dir <plugins folder>]
 * Writes plugins/<name>/ (or <dir>/<name>/): definition, adapter, settings, a conformance
 * test, README. The new plugin compiles; its test fails, naming what to implement.
 * Note: the plugin host refuses to start with a plugin that fails validation, so finish the
 * definition before starting Keyway with the new folder in plugins/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scaffoldPlugin } from './plugin-kit/scaffold-plugin.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dirAt = args.indexOf('--dir');
const pluginsDir = dirAt >= 0 ? path.resolve(args[dirAt + 1] ?? '') : path.join(root, 'plugins');
const name = args.find((arg, i) => !arg.startsWith('--') && i !== dirAt + 1);

if (!name) {
  process.stderr.write('usage: npm run plugin:new -- <name> [--dir <plugins folder>]\n');
  process.exit(2);
}
try {
  const files = scaffoldPlugin({ name, pluginsDir, sdkDir: path.join(root, 'src', 'plugin-sdk') });
  process.stdout.write(`Created plugin ${name}:\n${files.map((f) => `  ${path.relative(process.cwd(), f)}`).join('\n')}\n`);
  process.stdout.write(`Next: implement src/${name}-adapter.ts, point test/test-server.ts at a test KA, run the kit:\n  npx ava ${path.relative(process.cwd(), path.join(pluginsDir, name, 'test'))}\nSee docs/writing-a-ka-plugin.md.\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
