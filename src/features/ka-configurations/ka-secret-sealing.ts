import type { DbOrTx } from '../../infra/db/database.js';
import { fromJson } from '../../infra/db/rows.js';
import { isSealed, type SecretBox, sealedKeyId } from '../../infra/db/secret-box.js';
import type { SettingDefinition, SettingsValues } from '../../plugin-sdk/settings.js';
import { sealSecrets } from './settings-values.js';

export interface KaSecretSealing {
  /** Configurations whose plain secrets were sealed now. */
  sealed: string[];
  /** Configurations holding secrets sealed with another key than this process's. */
  otherKey: Array<{ name: string; keyIds: string[] }>;
}

/**
 * Seals the secret settings an older Keyway stored in plain text, by the plugin definitions
 * last synced to `ka_plugins` (so the migrate command can do it without loading plugins).
 * Idempotent: sealed values are left alone, and each row is updated only if it is still as
 * read, so a concurrent edit or a second process starting loses nothing. Also answers the
 * configurations sealed with another key, which this process cannot use.
 */
export async function sealKaConfigurationSecrets(db: DbOrTx, box: SecretBox): Promise<KaSecretSealing> {
  const secretNames = new Map<string, string[]>();
  for (const row of await db('ka_plugins').select('name', 'definition')) {
    const definition = fromJson<{ settings?: SettingDefinition[] }>(row.definition, {});
    secretNames.set(
      String(row.name),
      (definition.settings ?? []).filter((d) => d.secret).map((d) => d.name),
    );
  }
  const result: KaSecretSealing = { sealed: [], otherKey: [] };
  for (const row of await db('ka_configurations').select('id', 'name', 'plugin_name', 'settings')) {
    const stored = String(row.settings);
    const settings = fromJson<SettingsValues>(stored, {});
    const sealed = sealSecrets(secretNames.get(String(row.plugin_name)) ?? [], settings, box);
    const changed = Object.keys(sealed).some((k) => sealed[k] !== settings[k]);
    if (
      changed &&
      (await db('ka_configurations')
        .where({ id: row.id, settings: stored })
        .update({ settings: JSON.stringify(sealed) }))
    )
      result.sealed.push(String(row.name));
    const keyIds = [
      ...new Set(
        Object.values(sealed)
          .filter(isSealed)
          .map((v) => sealedKeyId(v) ?? ''),
      ),
    ].filter((id) => id !== box.keyId);
    if (keyIds.length) result.otherKey.push({ name: String(row.name), keyIds });
  }
  return result;
}
