import type { Knex } from 'knex';
import { type DbOrTx, dialectOf } from './database.js';

/**
 * How Keyway compares stored text on every engine: exactly, byte for byte, as SQLite does.
 * An order reference, a customer's external ref or a key number differing only in case is
 * another one. Text meant to match whatever its case (staff e-mails) is lower-cased in code
 * before it is stored or looked up, which then behaves the same on both engines.
 */
export const binaryCollation = 'utf8mb4_bin';

/** Rows of `knex.raw` on mysql2: `[rows, fields]`. */
async function rowsOf<T>(db: DbOrTx, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T[]> {
  const [rows] = (await db.raw(sql, bindings)) as unknown as [T[]];
  return rows;
}

/** A text column, or the database default (no column), that does not compare exactly. */
export interface InexactText {
  table?: string;
  column?: string;
  collation: string;
}

/**
 * Text columns of the current MySQL database that do not compare exactly, and the database
 * default when tables created from now on would not. Always empty on SQLite.
 */
export async function inexactTextColumns(db: DbOrTx): Promise<InexactText[]> {
  if (dialectOf(db) !== 'mysql') return [];
  const columns = await rowsOf<Required<InexactText>>(
    db,
    `select table_name as \`table\`, column_name as \`column\`, collation_name as collation from information_schema.columns
      where table_schema = database() and collation_name is not null and collation_name <> ? order by table_name, ordinal_position`,
    [binaryCollation],
  );
  const [schema] = await rowsOf<{ collation: string }>(
    db,
    'select default_collation_name as collation from information_schema.schemata where schema_name = database()',
  );
  return schema && schema.collation !== binaryCollation ? [...columns, { collation: schema.collation }] : columns;
}
