import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { KIT_MUTATIONS, type KitMutation } from './kit-mutations.js';

const run = promisify(execFile);

/** What the kit did with one mistake (or with the plugin as it is: `mutation` undefined). */
export interface KitVerdict {
  name: string;
  mutation?: KitMutation;
  passed: number;
  failed: string[];
  /** The kit's messages for the failed tests. */
  messages: string;
  /** The mistake made the kit fail with the hint; for the plugin as it is, the kit was green. */
  ok: boolean;
}

/** The folders a mutant needs: the plugin and the SDK and reference kit it imports, nothing else. */
const COPIED = ['src/plugin-sdk', 'src/reference-ka', 'plugins/rest-ka'];

const FILTER = `import type { TestFn } from 'ava';

/** \`test\` registering only the serial tests whose titles contain one of \`parts\`. */
export function onlyTests(test: TestFn, parts: string[]): TestFn {
  const serial = (title: string, ...rest: unknown[]) =>
    parts.some((part) => title.includes(part)) ? (test.serial as (...args: unknown[]) => unknown)(title, ...rest) : undefined;
  return new Proxy(test, { get: (target, key) => (key === 'serial' ? serial : Reflect.get(target, key)) });
}
`;

function replaceOnce(file: string, find: string, replace: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const count = text.split(find).length - 1;
  // A mutation that no longer applies must fail the self-test, not pass it silently.
  if (count !== 1)
    throw new Error(`${path.basename(file)}: the text to mutate occurs ${count} times, not once: ${find.slice(0, 80)}`);
  fs.writeFileSync(file, text.replace(find, replace));
}

/** A copy of the plugin under `dir`, with `mutation` applied and only its kit tests registered. */
function writeMutant(root: string, dir: string, mutation: KitMutation | undefined): void {
  for (const folder of COPIED) fs.cpSync(path.join(root, folder), path.join(dir, folder), { recursive: true });
  const tests = path.join(dir, 'plugins/rest-ka/test');
  for (const file of fs.readdirSync(tests)) if (file !== 'conformance.test.ts') fs.rmSync(path.join(tests, file));
  if (!mutation) return;
  replaceOnce(path.join(dir, mutation.file), mutation.find, mutation.replace);
  fs.writeFileSync(path.join(dir, 'kit-filter.ts'), FILTER);
  const conformance = path.join(tests, 'conformance.test.ts');
  replaceOnce(
    conformance,
    "import test from 'ava';",
    "import avaTest from 'ava';\nimport { onlyTests } from '../../../kit-filter.js';",
  );
  replaceOnce(
    conformance,
    'runKaConformance(test,',
    `runKaConformance(onlyTests(avaTest, ${JSON.stringify(mutation.tests)}),`,
  );
}

/** TAP results by mutant folder: each test's title, whether it passed, and its failure text. */
function parseTap(output: string): Map<string, Array<{ title: string; ok: boolean; detail: string }>> {
  const results = new Map<string, Array<{ title: string; ok: boolean; detail: string }>>();
  let current: { title: string; ok: boolean; detail: string } | undefined;
  for (const line of output.split('\n')) {
    const match = /^(not ok|ok) \d+ - (m\d+) › (.*)$/.exec(line);
    if (match) {
      // ava prefixes the file's path: keep the kit's own title.
      current = {
        title: (match[3] ?? '').replace(/^plugins › rest-ka › test › conformance › rest-ka › /, ''),
        ok: match[1] === 'ok',
        detail: '',
      };
      const list = results.get(match[2] ?? '') ?? [];
      list.push(current);
      results.set(match[2] ?? '', list);
    } else if (current && !current.ok) {
      current.detail += `${line}\n`;
    }
  }
  return results;
}

/**
 * Applies each mistake of `KIT_MUTATIONS` to a copy of plugins/rest-ka, runs the kit's tests
 * that must catch it (all of them on an unchanged copy) in one ava run, and answers a verdict
 * per copy. The kit is sound when every verdict is ok.
 */
export async function runKitSelfTest(root: string, mutations: KitMutation[] = KIT_MUTATIONS): Promise<KitVerdict[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-kit-self-test-'));
  try {
    const variants: Array<KitMutation | undefined> = [undefined, ...mutations];
    for (const [i, mutation] of variants.entries()) writeMutant(root, path.join(dir, `m${i}`), mutation);
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const ava = {
      extensions: { ts: 'module' },
      nodeArguments: ['--import=tsx'],
      workerThreads: false,
      timeout: '2m',
      files: ['m*/plugins/rest-ka/test/conformance.test.ts'],
    };
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', ava }));
    const output = await run(path.join(root, 'node_modules', '.bin', 'ava'), ['--tap'], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
    }).then(
      ({ stdout }) => stdout,
      (error: { stdout?: string }) => error.stdout ?? '',
    );
    const results = parseTap(output);
    return variants.map((mutation, i) => {
      const tests = results.get(`m${i}`) ?? [];
      const failed = tests.filter((r) => !r.ok);
      const messages = failed.map((r) => r.detail).join('\n');
      const ok = mutation
        ? failed.length > 0 && messages.includes(mutation.hint)
        : tests.length > 0 && failed.length === 0;
      return {
        name: mutation?.name ?? 'the plugin as it is',
        mutation,
        passed: tests.length - failed.length,
        failed: failed.map((r) => r.title),
        messages,
        ok,
      };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
