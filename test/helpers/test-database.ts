import test from 'ava';
import { createDatabase, type Db, type Dialect } from '../../src/infra/db/database.js';
import { cloneMysqlTemplate, cloneSqliteTemplate } from './template-database.js';
import { testMysqlUrl, uniqueName } from './test-env.js';

export interface TestDatabase {
  dialect: Dialect;
  url: string;
  db: Db;
  /** Closes the pool and drops the database (MySQL) so runs leave nothing behind. */
  drop(): Promise<void>;
}

/** The dialects this run tests: SQLite always, MySQL/MariaDB when configured (always in CI). */
export function testDialects(): Dialect[] {
  return testMysqlUrl ? ['sqlite', 'mysql'] : ['sqlite'];
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * A fresh database with a unique name, for one test file or one test: a copy of the migrated
 * template (see `template-database.ts`), or empty when the test migrates it itself
 * (`migrate: false`, for upgrade tests).
 */
export async function createTestDatabase(dialect: Dialect, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  if (dialect === 'sqlite') {
    const url = 'sqlite::memory:';
    const db = migrate ? await cloneSqliteTemplate() : createDatabase(url);
    return { dialect, url, db, drop: () => db.destroy() };
  }
  if (!testMysqlUrl) throw new Error('KEYWAY_TEST_MYSQL_URL is not set');
  const name = uniqueName('keyway_test');
  if (migrate) await cloneMysqlTemplate(testMysqlUrl, name);
  else {
    const admin = createDatabase(withDatabase(testMysqlUrl, ''), { poolMax: 1 });
    try {
      // Exactly as the README says (no collation: the server's default, case-insensitive on a
      // stock MariaDB), so the tests see what an installation sees.
      await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
    } finally {
      await admin.destroy();
    }
  }
  const url = withDatabase(testMysqlUrl, name);
  const db = createDatabase(url);
  return {
    dialect,
    url,
    db,
    async drop() {
      await db.destroy();
      const cleaner = createDatabase(withDatabase(testMysqlUrl as string, ''), { poolMax: 1 });
      try {
        await cleaner.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await cleaner.destroy();
      }
    },
  };
}

/**
 * One fresh database of `dialect` for the tests of a file: created before them (then `setUp`
 * runs on it; ava runs `before` hooks concurrently, so set-up that needs the database goes
 * here), dropped after. The answer reads through to it: tests use `database.db`.
 */
export function useTestDatabase(dialect: Dialect, setUp?: (db: Db) => Promise<void>): TestDatabase {
  let current: TestDatabase | undefined;
  test.before(async () => {
    current = await createTestDatabase(dialect);
    await setUp?.(current.db);
  });
  test.after.always(async () => {
    await current?.drop();
  });
  const created = (): TestDatabase => {
    if (!current) throw new Error(`the ${dialect} test database is used before it was created`);
    return current;
  };
  return {
    dialect,
    get url() {
      return created().url;
    },
    get db() {
      return created().db;
    },
    drop: () => created().drop(),
  };
}
