import { openSecretBox } from './secret-key.js';
import { sealStoredSecrets } from './stored-secrets.js';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../infra/log/logger.js';
import { createDatabase } from '../infra/db/database.js';
import { migrateLatest, migrateRollbackAll } from '../infra/db/migrator.js';

const config = loadConfig(process.env);
const db = createDatabase(config.databaseUrl);
try {
  if (process.argv.includes('--rollback-all')) {
    await migrateRollbackAll(db);
    console.log('rolled back every migration');
  } else {
    const applied = await migrateLatest(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
    // Secrets an older Keyway stored in plain text, sealed here as at start.
    const box = openSecretBox(config, { create: true });
    if (box) await sealStoredSecrets(db, box, createLogger(config.logLevel));
  }
} finally {
  await db.destroy();
}
