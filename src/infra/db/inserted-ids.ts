import type { DbOrTx } from './database.js';

/**
 * Inserts `rows` into `table` in one statement and answers their ids, in the rows' order.
 *
 * One row's id is the one the insert answers, exact on every dialect. For several rows the
 * drivers disagree (MySQL answers the first id, SQLite the last) and MySQL's ids are consecutive
 * only under some auto-increment lock modes, so `readBack` finds them by a unique key of the
 * rows, in one query: one id per row, in the rows' order.
 */
export async function insertedIds(
  db: DbOrTx,
  table: string,
  rows: readonly Record<string, unknown>[],
  readBack: () => Promise<Array<number | undefined>>,
): Promise<number[]> {
  if (!rows.length) return [];
  const [first] = await db(table).insert(rows);
  if (rows.length === 1) return [Number(first)];
  const ids = await readBack();
  return rows.map((_, i) => {
    const id = ids[i];
    if (id === undefined) throw new Error(`${table}: row ${i} of ${rows.length} just inserted was not found`);
    return id;
  });
}
