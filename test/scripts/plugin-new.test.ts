import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { checkPlugin } from '../../src/plugin-host/plugin-loader.js';
import { scaffoldPlugin } from '../../scripts/plugin-kit/scaffold-plugin.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name: string): string => path.join(root, 'node_modules', '.bin', name);

/** A throw-away project outside the repository's plugins/ (the plugin host must never see it). */
function tempProject(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-plugin-new-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: path.join(root, 'tsconfig.json'), include: ['plugins'] }),
  );
  const ava = {
    extensions: { ts: 'module' },
    nodeArguments: ['--import=tsx'],
    workerThreads: false,
    files: ['plugins/*/test/**/*.test.ts'],
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', ava }));
  return dir;
}

test('plugin:new scaffolds a plugin that compiles, loads, and whose conformance test fails saying what to implement', async (t) => {
  const dir = tempProject(t);
  const pluginsDir = path.join(dir, 'plugins');
  const { stdout } = await run(
    process.execPath,
    ['--import=tsx', path.join(root, 'scripts', 'plugin-new.ts'), 'demo-ka', '--dir', pluginsDir],
    { cwd: root },
  );
  t.true(stdout.includes('Created plugin demo-ka'));
  for (const file of [
    'index.ts',
    'README.md',
    'src/demo-ka-adapter.ts',
    'src/demo-ka-settings.ts',
    'test/conformance.test.ts',
    'test/test-server.ts',
  ]) {
    t.true(fs.existsSync(path.join(pluginsDir, 'demo-ka', file)), file);
  }

  await t.notThrowsAsync(
    run(bin('tsc'), ['--noEmit', '-p', path.join(dir, 'tsconfig.json')], { cwd: dir }),
    'the new plugin compiles',
  );

  const mod = (await import(path.join(pluginsDir, 'demo-ka', 'index.ts'))) as { default: unknown };
  t.deepEqual(checkPlugin('demo-ka', mod.default), [], 'the plugin host accepts its definition');

  const result = await run(bin('ava'), ['--tap'], { cwd: dir }).then(
    () => ({ failed: false, output: '' }),
    (error: { stdout?: string; stderr?: string }) => ({
      failed: true,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
  t.true(result.failed, 'the generated conformance test fails until the adapter is written');
  t.true(result.output.includes('demo-ka › issueKey returns the new key'), 'it runs the conformance kit');
  const passed = result.output.split('\n').filter((line) => /^ok \d+/.test(line));
  t.deepEqual(passed, [], 'every kit test fails until the feature it checks is written');
  for (const method of ['issueKey', 'testConnection']) {
    t.true(result.output.includes(`Implement ${method} in src/demo-ka-adapter.ts`), `the failure names ${method}`);
  }
});

test('npm run plugin:new -- my-ka, as documented, writes plugins/my-ka/ (the plugins folder Keyway loads)', async (t) => {
  const dir = tempProject(t);
  const pluginsDir = path.join(dir, 'plugins');
  // The documented command, word for word; KEYWAY_PLUGINS_DIR keeps it out of this checkout's plugins/.
  const { stdout } = await run('npm', ['run', '--silent', 'plugin:new', '--', 'my-ka'], {
    cwd: root,
    env: { ...process.env, KEYWAY_PLUGINS_DIR: pluginsDir },
  });
  t.true(stdout.includes('Created plugin my-ka'), stdout);
  t.true(fs.existsSync(path.join(pluginsDir, 'my-ka', 'src', 'my-ka-adapter.ts')));
  const usage = await run(process.execPath, ['--import=tsx', path.join(root, 'scripts', 'plugin-new.ts')], {
    cwd: root,
  }).catch((error: { code?: number; stderr?: string }) => error);
  t.is((usage as { code?: number }).code, 2, 'no name: usage and exit code 2');
  t.regex(String((usage as { stderr?: string }).stderr), /usage: npm run plugin:new -- <name>/);
});

test('plugin:new refuses bad names and existing folders', (t) => {
  const dir = tempProject(t);
  const options = { pluginsDir: path.join(dir, 'plugins'), sdkDir: path.join(root, 'src', 'plugin-sdk') };
  t.throws(() => scaffoldPlugin({ ...options, name: 'Bad_Name' }), { message: /kebab-case/ });
  scaffoldPlugin({ ...options, name: 'twice-ka' });
  t.throws(() => scaffoldPlugin({ ...options, name: 'twice-ka' }), { message: /already exists/ });
});
