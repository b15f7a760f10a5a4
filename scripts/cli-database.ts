import { loadConfig } from '../src/config/config.js';
import { createDatabase, type Db } from '../src/infra/db/database.js';
import { migrateLatest } from '../src/infra/db/migrator.js';

/** The installation's database for a command-line tool, migrated as a start would (KEYWAY_MIGRATE_ON_START). */
export async function openCliDatabase(): Promise<Db> {
  const config = loadConfig(process.env);
  const db = createDatabase(config.databaseUrl);
  if (config.migrateOnStart) await migrateLatest(db);
  return db;
}

/** Prints the message and the usage, exits 64 (EX_USAGE). */
export function usageError(message: string, usage: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(64);
}
