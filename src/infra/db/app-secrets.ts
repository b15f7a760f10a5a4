import { randomBytes } from 'node:crypto';
import type { DbOrTx } from './database.js';
import { isSealed, type SecretBox, sealedKeyId } from './secret-box.js';

const purposeOf = (name: string) => `app-secret:${name}`;

/**
 * A secret shared by every process of one installation (api and workers on several
 * machines): created once in the database, sealed with the installation's key, read by all.
 * Racing creators agree because the insert is ignored when the row exists and everyone reads
 * back the stored value. A value an older Keyway stored in plain text is used as it is until
 * `sealAppSecrets` seals it.
 */
export async function installationSecret(db: DbOrTx, name: string, box: SecretBox): Promise<string> {
  const existing = await db('app_secrets').where({ name }).first();
  if (!existing) {
    await db('app_secrets')
      .insert({ name, value: box.seal(randomBytes(32).toString('base64url'), purposeOf(name)), created_at: Date.now() })
      .onConflict('name')
      .ignore();
  }
  const row = existing ?? (await db('app_secrets').where({ name }).first());
  const value = String(row.value);
  return isSealed(value) ? String(box.open(value, purposeOf(name))) : value;
}

/**
 * Seals the installation secrets still stored in plain text (idempotent), and answers their
 * names, and those sealed with another key than `box`'s.
 */
export async function sealAppSecrets(db: DbOrTx, box: SecretBox): Promise<{ sealed: string[]; otherKey: string[] }> {
  const result = { sealed: [] as string[], otherKey: [] as string[] };
  for (const row of await db('app_secrets').select('name', 'value')) {
    const name = String(row.name);
    const value = String(row.value);
    if (isSealed(value)) {
      if (sealedKeyId(value) !== box.keyId) result.otherKey.push(name);
      continue;
    }
    // Guarded: a concurrent sealer (another process starting) wins without a second seal.
    if (
      await db('app_secrets')
        .where({ name, value })
        .update({ value: box.seal(value, purposeOf(name)) })
    )
      result.sealed.push(name);
  }
  return result;
}
