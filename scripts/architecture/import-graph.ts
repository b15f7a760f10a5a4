/**
 * The import graph of Keyway's own code (src, plugins, scripts), read from the source text: every
 * static `import ... from`, `export ... from`, side-effect `import '...'` and literal `import('...')`
 * with a relative path. Type-only imports count: a wrong-way type import is a wrong-way edge too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface ImportEdge {
  /** Importing file, relative to the repository root, with forward slashes. */
  from: string;
  /** Imported file, relative to the repository root (`.js` in the source resolved to `.ts`/`.tsx`). */
  to: string;
}

const roots = ['src', 'plugins', 'scripts'];
const specifiers =
  /(?:^|[\s;}])(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function resolveTarget(repo: string, fromFile: string, specifier: string): string {
  const absolute = path.resolve(path.dirname(path.join(repo, fromFile)), specifier);
  const relative = path.relative(repo, absolute).split(path.sep).join('/');
  const base = relative.replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`]) {
    try {
      if (statSync(path.join(repo, candidate)).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return relative;
}

/** Every relative import edge under src/, plugins/ and scripts/ of the repository at `repo`. */
export function importEdges(repo: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const root of roots) {
    for (const file of sourceFiles(path.join(repo, root))) {
      const from = path.relative(repo, file).split(path.sep).join('/');
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(specifiers)) {
        const specifier = match[1] ?? match[2];
        if (!specifier?.startsWith('.')) continue;
        edges.push({ from, to: resolveTarget(repo, from, specifier) });
      }
    }
  }
  return edges;
}
