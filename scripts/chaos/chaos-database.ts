import { createDatabase, type Db } from '../../src/infra/db/database.js';

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** The campaign's own MariaDB database: a fresh unique name, dropped at the end. */
export interface ChaosDatabase {
  name: string;
  /** What Keyway's processes get as KEYWAY_DB_URL. */
  url: string;
  /** The campaign's own connection, to read states, licenses and audit events. */
  db: Db;
  drop(): Promise<void>;
  /** Closes the campaign's connection and leaves the database for inspection. */
  keep(): Promise<void>;
}

/**
 * Creates the database, or fails loudly naming the server when MariaDB cannot be reached:
 * the campaign means nothing on SQLite.
 */
export async function createChaosDatabase(serverUrl: string): Promise<ChaosDatabase> {
  const name = `keyway_chaos_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const serverOnly = withDatabase(serverUrl, '');
  const where = `${new URL(serverUrl).hostname}:${new URL(serverUrl).port || 3306}`;
  const admin = createDatabase(serverOnly, { poolMax: 1 });
  try {
    await Promise.race([
      admin.raw('select 1'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 10 s')), 10_000)),
    ]);
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } catch (err) {
    throw new Error(
      `MariaDB at ${where} is unreachable or refused to create a database (${err instanceof Error ? err.message : String(err)}). Start it, or set KEYWAY_CHAOS_MYSQL_URL.`,
    );
  } finally {
    await admin.destroy();
  }
  const url = withDatabase(serverUrl, name);
  const db = createDatabase(url, { poolMax: 4 });
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      const cleaner = createDatabase(serverOnly, { poolMax: 1 });
      try {
        await cleaner.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await cleaner.destroy();
      }
    },
    async keep() {
      await db.destroy();
    },
  };
}
