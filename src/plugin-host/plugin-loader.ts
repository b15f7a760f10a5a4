import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KaPlugin } from '../plugin-sdk/plugin-definition.js';
import { definitionSchema, referenceKaSchema } from './definition-schema.js';

/** Every broken plugin at once, so an operator fixes them in one go. */
export class PluginLoadError extends Error {
  constructor(readonly problems: Array<{ plugin: string; problem: string }>) {
    super(`Broken KA plugins:\n${problems.map((p) => `  - ${p.plugin}: ${p.problem}`).join('\n')}`);
    this.name = 'PluginLoadError';
  }
}

function entryOf(dir: string): string | undefined {
  return ['index.ts', 'index.js'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
}

/** Whether this process runs Keyway's TypeScript sources (through tsx) or its compiled build. */
const runningSources = import.meta.url.endsWith('.ts');
let typeScriptLoader: Promise<unknown> | undefined;

/**
 * A compiled Keyway (`npm start`) loads a plugin still in TypeScript (one dropped into
 * `KEYWAY_PLUGINS_DIR` without a build) by registering tsx then, so only such an installation
 * pays for the TypeScript loader's memory.
 */
function canImport(entry: string): Promise<unknown> {
  if (runningSources || !entry.endsWith('.ts')) return Promise.resolve();
  typeScriptLoader ??= import('tsx/esm/api').then(({ register }) => register());
  return typeScriptLoader;
}

/** Validates one module's default export; returns the problems found. */
export function checkPlugin(folder: string, candidate: unknown): string[] {
  const plugin = candidate as Partial<KaPlugin> | undefined;
  if (!plugin || typeof plugin !== 'object')
    return ['index must default-export defineKaPlugin({definition, createAdapter})'];
  const problems: string[] = [];
  const parsed = definitionSchema.safeParse(plugin.definition);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`definition.${issue.path.join('.')}: ${issue.message}`);
  } else if (parsed.data.name !== folder) {
    problems.push(`definition.name "${parsed.data.name}" must equal its folder name "${folder}"`);
  }
  if (typeof plugin.createAdapter !== 'function')
    problems.push('createAdapter must be a function (settings, context) => KaAdapter');
  if (plugin.referenceKa !== undefined) {
    const reference = referenceKaSchema.safeParse(plugin.referenceKa);
    if (!reference.success) {
      for (const issue of reference.error.issues)
        problems.push(`referenceKa.${issue.path.join('.')}: ${issue.message}`);
    }
    if (typeof plugin.referenceKa?.start !== 'function')
      problems.push('referenceKa.start must be a function (authority) => Promise<{url, settings, close}>');
  }
  return problems;
}

/**
 * Loads every folder under `pluginsDir` that has an index. Throws one `PluginLoadError`
 * listing every broken plugin; loads nothing partially.
 */
export async function loadPlugins(pluginsDir: string): Promise<KaPlugin[]> {
  if (!fs.existsSync(pluginsDir)) return [];
  const folders = fs
    .readdirSync(pluginsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !d.name.startsWith('_'))
    .map((d) => d.name)
    .sort();
  const plugins: KaPlugin[] = [];
  const problems: Array<{ plugin: string; problem: string }> = [];
  for (const folder of folders) {
    const entry = entryOf(path.join(pluginsDir, folder));
    if (!entry) {
      problems.push({ plugin: folder, problem: 'no index.ts or index.js' });
      continue;
    }
    try {
      await canImport(entry);
      const mod = (await import(pathToFileURL(entry).href)) as { default?: unknown };
      const found = checkPlugin(folder, mod.default);
      if (found.length) problems.push(...found.map((problem) => ({ plugin: folder, problem })));
      else plugins.push(mod.default as KaPlugin);
    } catch (err) {
      problems.push({ plugin: folder, problem: `failed to load: ${(err as Error).message}` });
    }
  }
  if (problems.length) throw new PluginLoadError(problems);
  return plugins;
}
