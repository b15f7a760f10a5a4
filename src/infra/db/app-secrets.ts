import { randomBytes } from 'node:crypto';
import type { DbOrTx } from './database.js';

/**
 * A secret shared by every process of one installation (api and workers on several
 * machines): created once in the database, read by all. Racing creators agree because the
 * insert is ignored when the row exists and everyone reads back the stored value.
 */
export async function installationSecret(db: DbOrTx, name: string): Promise<string> {
  const existing = await db('app_secrets').where({ name }).first();
  if (existing) return String(existing.value);
  await db('app_secrets')
    .insert({ name, value: randomBytes(32).toString('base64url'), created_at: Date.now() })
    .onConflict('name')
    .ignore();
  const row = await db('app_secrets').where({ name }).first();
  return String(row.value);
}
