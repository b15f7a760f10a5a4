import type { Db } from './database.js';

/**
 * A stand-in for the database handle given to services that run on in-memory fakes: the fakes
 * ignore it, and `transaction()` gets a handle that says it is a transaction, so code that
 * opens one (or joins the caller's) runs as it does on knex. A fake does not roll back: unit
 * tests check decisions, the store contract suite and the integration tests check atomicity.
 */
export function fakeDb(): Db {
  const tx = { isTransaction: true };
  return { transaction: async (work: (tx: unknown) => Promise<unknown>) => work(tx) } as unknown as Db;
}

/** The error a unique index raises, as `isUniqueViolation` knows it. */
export function uniqueViolation(what: string): Error {
  return Object.assign(new Error(`UNIQUE constraint failed: ${what}`), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
}
