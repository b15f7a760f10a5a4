import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run build` (and the first step of `npm start`): compiles Keyway, its bundled plugins and
 * its migrations into `dist/` and copies beside the compiled code what it reads from beside its
 * source at run time (tsc emits only JavaScript): the console's static files, the mail
 * templates, the demo catalogue, each plugin's other files (a WSDL). The compiled tree then
 * finds them by the same relative paths as the sources.
 *
 * Skipped when `dist/` was built from the same sources (a hash of them is kept in it), so a
 * restart costs nothing; processes started at once (`KEYWAY_ROLE=api npm start &` beside a
 * worker's) take a lock in turn, so one builds and the others find it built.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.sources-hash');
const lock = path.join(root, '.build.lock');
const inputs = [
  'src',
  'plugins',
  'migrations',
  'templates',
  'fixtures/demo-catalog.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
];
/** A lock older than this was left by a build that died. */
const staleLockMs = 5 * 60_000;

function filesOf(entry: string): string[] {
  const full = path.join(root, entry);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [entry];
  return readdirSync(full, { withFileTypes: true }).flatMap((d) =>
    d.name === 'node_modules' ? [] : filesOf(path.join(entry, d.name)),
  );
}

function sourcesHash(): string {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap(filesOf).sort())
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(root, file)));
  return hash.digest('hex');
}

async function withLock(work: () => void): Promise<void> {
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > staleLockMs) rmSync(lock, { force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    work();
  } finally {
    rmSync(lock, { force: true });
  }
}

function build(hash: string): void {
  rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  const copy = (from: string) => cpSync(path.join(root, from), path.join(dist, from), { recursive: true });
  copy('src/web/static');
  copy('templates');
  copy('fixtures/demo-catalog.json');
  for (const plugin of readdirSync(path.join(root, 'plugins'), { withFileTypes: true })) {
    const folder = path.join('plugins', plugin.name);
    if (!plugin.isDirectory() || !existsSync(path.join(dist, folder))) continue;
    cpSync(path.join(root, folder), path.join(dist, folder), {
      recursive: true,
      filter: (source) => !source.endsWith('.ts') && path.basename(source) !== 'test',
    });
  }
  writeFileSync(stamp, hash);
}

await withLock(() => {
  const hash = sourcesHash();
  const built = existsSync(stamp) ? readFileSync(stamp, 'utf8') : '';
  if (built !== hash || process.argv.includes('--force')) build(hash);
});
