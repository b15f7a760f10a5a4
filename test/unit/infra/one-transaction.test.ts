import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function sources(dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? sources(path.join(dir, entry.name))
        : /\.tsx?$/.test(entry.name)
          ? [path.join(dir, entry.name)]
          : [],
    );
}

test('every transaction goes through transaction() (it retries deadlocks): no db.transaction elsewhere', (t) => {
  const offenders = [...sources('src'), ...sources('scripts')]
    .filter((file) => file !== path.join('src', 'infra', 'db', 'transaction.ts'))
    .filter((file) => /\.transaction\(/.test(fs.readFileSync(path.join(root, file), 'utf8')));
  t.deepEqual(offenders, []);
});
