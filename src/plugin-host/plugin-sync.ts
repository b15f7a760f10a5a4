import type { DbOrTx } from '../infra/db/database.js';
import type { KaPlugin } from '../plugin-sdk/plugin-definition.js';

/**
 * Makes the `ka_plugins` rows match the loaded plugins: new ones inserted, changed ones
 * updated, vanished ones marked `missing` (never deleted: configurations and licenses keep
 * pointing at them).
 */
export async function syncPlugins(
  db: DbOrTx,
  plugins: KaPlugin[],
  now: number = Date.now(),
): Promise<{ added: string[]; missing: string[] }> {
  const existing = new Map(
    (await db('ka_plugins').select('name', 'status')).map((r) => [String(r.name), String(r.status)]),
  );
  const added: string[] = [];
  for (const { definition } of plugins) {
    const row = {
      display_name: definition.displayName,
      version: definition.version,
      status: 'available',
      definition: JSON.stringify(definition),
      updated_at: now,
    };
    if (existing.has(definition.name)) await db('ka_plugins').where({ name: definition.name }).update(row);
    else {
      await db('ka_plugins')
        .insert({ name: definition.name, ...row, created_at: now })
        .onConflict('name')
        .merge();
      added.push(definition.name);
    }
  }
  const loaded = new Set(plugins.map((p) => p.definition.name));
  const missing = [...existing.keys()].filter((name) => !loaded.has(name));
  if (missing.length) await db('ka_plugins').whereIn('name', missing).update({ status: 'missing', updated_at: now });
  return { added, missing };
}

/** The status of every plugin Keyway has seen, by name (`available` or `missing`). */
export async function pluginStatuses(db: DbOrTx): Promise<Map<string, string>> {
  const rows = await db('ka_plugins').select('name', 'status').orderBy('name');
  return new Map(rows.map((r) => [String(r.name), String(r.status)]));
}
