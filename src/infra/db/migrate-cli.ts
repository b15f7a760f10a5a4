import { loadConfig } from '../../config/config.js';
import { createDatabase } from './database.js';
import { migrateLatest, migrateRollbackAll } from './migrator.js';

const config = loadConfig(process.env);
const db = createDatabase(config.databaseUrl);
try {
  if (process.argv.includes('--rollback-all')) {
    await migrateRollbackAll(db);
    console.log('rolled back every migration');
  } else {
    const applied = await migrateLatest(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
  }
} finally {
  await db.destroy();
}
