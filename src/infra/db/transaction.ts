import type { Knex } from 'knex';
import type { Db } from './database.js';

/** Attempts of one transaction that the database rolled back to break a lock conflict. */
const MAX_ATTEMPTS = 4;

/**
 * True when the database rolled the whole transaction back because of a lock conflict, so
 * running it again is safe: a MySQL deadlock (1213) or lock wait timeout (1205), or SQLite
 * finding the file busy past its timeout.
 */
export function isLockConflict(err: unknown): boolean {
  const e = err as { errno?: number; code?: string } | undefined;
  return e?.errno === 1213 || e?.errno === 1205 || e?.code === 'SQLITE_BUSY';
}

/** True when an insert or update broke a unique index: MySQL 1062, SQLite's UNIQUE constraint. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { errno?: number; code?: string } | undefined;
  return e?.errno === 1062 || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * `db.transaction(work)`, run again (after a short random pause) when the database rolled it
 * back to break a deadlock. `work` must only touch the database through `tx`, so a rolled back
 * attempt leaves nothing behind.
 */
export async function transaction<T>(db: Db, work: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (err) {
      if (!isLockConflict(err) || attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
