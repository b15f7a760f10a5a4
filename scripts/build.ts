import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
/** A lock with no pid in it yet and older than this was left by a build that died at once. */
const staleLockMs = 10_000;

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

/** The pid in a lock file, when that process is still running. */
function lockHolder(): number | undefined {
  const pid = Number(existsSync(lock) ? readFileSync(lock, 'utf8') : Number.NaN);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function withLock(work: () => void): Promise<void> {
  let told = false;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      // Only a lock held by another build is waited for; a folder we cannot write stops here.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder();
      // Its build died (Ctrl-C, kill): the lock is free. A lock without a pid yet is a build
      // starting this instant, unless it is old.
      const fresh = existsSync(lock) && Date.now() - statSync(lock).mtimeMs < staleLockMs;
      if (holder === undefined && !(fresh && readFileSync(lock, 'utf8') === '')) rmSync(lock, { force: true });
      else if (!told) {
        process.stderr.write(`waiting for the build of process ${holder ?? '(starting)'} to finish\n`);
        told = true;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Compiles into a fresh folder and swaps it in once complete: a failed compile leaves the last
 * build as it was, and processes already running from `dist/` keep the modules they loaded.
 */
function build(hash: string): void {
  const next = `${dist}.next`;
  const previous = `${dist}.previous`;
  rmSync(next, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', next],
    { cwd: root, stdio: 'inherit' },
  );
  const copy = (from: string) => cpSync(path.join(root, from), path.join(next, from), { recursive: true });
  copy('src/web/static');
  copy('templates');
  copy('fixtures/demo-catalog.json');
  for (const plugin of readdirSync(path.join(root, 'plugins'), { withFileTypes: true })) {
    const folder = path.join('plugins', plugin.name);
    if (!plugin.isDirectory() || !existsSync(path.join(next, folder))) continue;
    cpSync(path.join(root, folder), path.join(next, folder), {
      recursive: true,
      filter: (source) => !source.endsWith('.ts') && path.basename(source) !== 'test',
    });
  }
  writeFileSync(path.join(next, path.basename(stamp)), hash);
  rmSync(previous, { recursive: true, force: true });
  if (existsSync(dist)) renameSync(dist, previous);
  renameSync(next, dist);
  rmSync(previous, { recursive: true, force: true });
}

await withLock(() => {
  const hash = sourcesHash();
  const built = existsSync(stamp) ? readFileSync(stamp, 'utf8') : '';
  if (built !== hash || process.argv.includes('--force')) build(hash);
});
