import type { DbOrTx } from '../../infra/db/database.js';

/**
 * This installation's id: made once by migration 009 and kept in `installation_settings`, the
 * same for every process of the installation. Never made here: a process that made its own
 * would hand out references no other process of the installation knows.
 */
export async function readInstallationId(db: DbOrTx): Promise<string> {
  const row = await db('installation_settings').where({ name: 'installation_id' }).first();
  if (!row) throw new Error('This database has no installation id: run the migrations (npm run migrate)');
  return String(row.value);
}
