import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import type { Db } from './database.js';

export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Loads migrations by explicit import so they run the same under tsx, from the CLI and from
 * tests, without knex's own file loader guessing module formats.
 */
export class FolderMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    return fs
      .readdirSync(migrationsDir)
      .filter((f) => /^\d+.*\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
      .sort();
  }
  getMigrationName(migration: string): string {
    return migration.replace(/\.(ts|js)$/, '');
  }
  async getMigration(migration: string): Promise<MigrationModule> {
    return (await import(pathToFileURL(path.join(migrationsDir, migration)).href)) as MigrationModule;
  }
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource: new FolderMigrationSource() })) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback({ migrationSource: new FolderMigrationSource() }, true);
}

/**
 * Runs the pending migrations whose names sort before `name`, and no others: how upgrade
 * tests build the database an older Keyway left behind.
 */
export async function migrateBefore(db: Db, name: string): Promise<void> {
  const migrationSource = new FolderMigrationSource();
  for (;;) {
    const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], string[]];
    const next = pending[0];
    if (next === undefined || migrationSource.getMigrationName(next) >= name) return;
    await db.migrate.up({ migrationSource });
  }
}
