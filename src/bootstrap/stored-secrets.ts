import { sealKaConfigurationSecrets } from '../features/ka-configurations/ka-secret-sealing.js';
import { sealAppSecrets } from '../infra/db/app-secrets.js';
import type { DbOrTx } from '../infra/db/database.js';
import type { SecretBox } from '../infra/db/secret-box.js';
import type { Logger } from '../infra/log/logger.js';

/**
 * Start-up (and `npm run migrate`): seals the secrets an older Keyway stored in plain text,
 * and says which KA configurations this process's key cannot open. Those stay usable for
 * everything but talking to their KA, whose calls fail with a message naming them: a wrong
 * key must not stop every process (a restart loop), nor hide which configuration it hurts.
 */
export async function sealStoredSecrets(db: DbOrTx, box: SecretBox, logger: Logger): Promise<void> {
  const ka = await sealKaConfigurationSecrets(db, box);
  const app = await sealAppSecrets(db, box);
  if (ka.sealed.length || app.sealed.length)
    logger.info(
      { kaConfigurations: ka.sealed, installationSecrets: app.sealed },
      'secrets stored in plain text are now encrypted',
    );
  if (app.otherKey.length) {
    logger.error(
      { installationSecrets: app.otherKey, keyId: box.keyId },
      `installation secrets ${app.otherKey.join(', ')} are encrypted with another key than this process's ${box.keyId}: signed service callbacks fail until Keyway runs with that KEYWAY_SECRET_KEY (or key file)`,
    );
  }
  for (const { name, keyIds } of ka.otherKey) {
    logger.error(
      { configuration: name, sealedWith: keyIds, keyId: box.keyId },
      `KA configuration "${name}" holds secrets encrypted with key ${keyIds.join(', ')}, not this process's key ${box.keyId}: its KA calls fail until Keyway runs with that KEYWAY_SECRET_KEY (or key file) or the secrets are entered again`,
    );
  }
}
