import type { DbOrTx } from '../infra/db/database.js';

/**
 * Display names for the ids on one page of rows (at most a page's worth, one query each), so
 * lists show "Ada Lovelace" rather than "customer 17" without loading anything unbounded.
 */
async function namesOf(
  db: DbOrTx,
  table: string,
  column: string,
  ids: Array<number | null | undefined>,
): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => typeof id === 'number'))];
  if (wanted.length === 0) return new Map();
  const rows = await db(table).select('id', column).whereIn('id', wanted);
  return new Map(rows.map((r) => [Number(r.id), String(r[column])]));
}

export const customerNames = (db: DbOrTx, ids: Array<number | null | undefined>) =>
  namesOf(db, 'customers', 'name', ids);
export const planNames = (db: DbOrTx, ids: Array<number | null | undefined>) => namesOf(db, 'plans', 'name', ids);
export const configurationNames = (db: DbOrTx, ids: Array<number | null | undefined>) =>
  namesOf(db, 'ka_configurations', 'name', ids);
