import type { Db } from '../../src/infra/db/database.js';

/**
 * A KA plugin row and a configuration for tests that need a plan with licenses but not a
 * live KA (the foundation tests): the rows the plugin host and configuration API would write.
 */
export async function insertKaConfiguration(db: Db, name = 'Test KA'): Promise<number> {
  const now = Date.now();
  await db('ka_plugins')
    .insert({
      name: 'test-ka',
      display_name: 'Test KA',
      version: '1.0.0',
      status: 'available',
      definition: '{}',
      created_at: now,
      updated_at: now,
    })
    .onConflict('name')
    .ignore();
  const [id] = await db('ka_configurations').insert({
    name,
    plugin_name: 'test-ka',
    settings: '{}',
    enabled: true,
    status: 'configured',
    created_at: now,
    updated_at: now,
  });
  return Number(id);
}
