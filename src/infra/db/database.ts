import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';

export type Db = Knex;
export type DbOrTx = Knex | Knex.Transaction;
export type Dialect = 'sqlite' | 'mysql';

export function dialectOf(db: DbOrTx): Dialect {
  const client = String(db.client.config.client);
  return client === 'mysql2' || client === 'mysql' ? 'mysql' : 'sqlite';
}

/**
 * Opens the database named by a Keyway URL: `sqlite:<file>` (`sqlite::memory:` for tests) or
 * `mysql://user:pass@host:port/db`.
 */
export function createDatabase(url: string, options: { poolMax?: number } = {}): Db {
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length);
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
    return knex({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
          // WAL lets readers run beside the one writer; the busy timeout covers a second process.
          conn.pragma('journal_mode = WAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          conn.pragma('synchronous = NORMAL');
          // LIKE compares exactly, as on MySQL with Keyway's utf8mb4_bin (text-collation.ts);
          // SQLite's own LIKE ignores the case of ASCII letters.
          conn.pragma('case_sensitive_like = ON');
          done(null, conn);
        },
      },
    });
  }
  if (url.startsWith('mysql://')) {
    return knex({
      client: 'mysql2',
      // utf8mb4_bin (46) by number: the `charset` option would also make knex write `default
      // character set utf8mb4` into every CREATE TABLE, which takes utf8mb4's case-insensitive
      // default collation over the database's exact one (text-collation.ts).
      connection: {
        uri: url,
        charsetNumber: 46,
        timezone: 'Z',
        supportBigNumbers: true,
        bigNumberStrings: false,
        // knex sends plain queries, never prepared statements; the driver's default cache for
        // 16,000 of them preallocates about half a megabyte per connection.
        maxPreparedStatements: 16,
      } as Knex.MySql2ConnectionConfig,
      pool: {
        min: 0,
        max: options.poolMax ?? 10,
        // READ COMMITTED: every state change is a guarded UPDATE, which needs no snapshot, and
        // REPEATABLE READ's gap locks on the (state, id) index deadlocked neighbouring requests
        // moving between states at the same moment.
        afterCreate(
          conn: { query(sql: string, cb: (err: Error | null) => void): void },
          done: (err: Error | null, conn: unknown) => void,
        ) {
          conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', (err) => done(err, conn));
        },
      },
    });
  }
  throw new Error(`Unsupported database URL: it must start with sqlite: or mysql://`);
}
