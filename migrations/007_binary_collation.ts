import type { Knex } from 'knex';

/**
 * Text compares exactly on every engine (issue 11): an order reference, external ref or key
 * number differing only in case is another one, as on SQLite. A MySQL database created as the
 * README says takes the server's default collation, case-insensitive on a stock MariaDB
 * (`utf8mb4_general_ci`), so every table that does not compare exactly yet is converted to
 * `utf8mb4_bin`, and so is the database default for tables created later. Tables already
 * exact are left alone. SQLite compares bytes already: the one dialect branch is here.
 *
 * MariaDB refuses to change the collation of a column in a foreign key, even with
 * `foreign_key_checks` off, so foreign keys on text columns are dropped first and added back
 * (and checked again) once both of their tables are converted.
 */
const exact = 'utf8mb4_bin';

interface ForeignKey {
  name: string;
  table: string;
  columns: string;
  referencedTable: string;
  referencedColumns: string;
  onUpdate: string;
  onDelete: string;
}

const rules = new Set(['RESTRICT', 'CASCADE', 'SET NULL', 'NO ACTION', 'SET DEFAULT']);

async function rowsOf<T>(knex: Knex, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T[]> {
  const [rows] = (await knex.raw(sql, bindings)) as unknown as [T[]];
  return rows;
}

/** Tables with a column, or a default, that does not compare exactly. */
async function inexactTables(knex: Knex): Promise<string[]> {
  const rows = await rowsOf<{ t: string }>(
    knex,
    `select distinct t.table_name as t from information_schema.tables t
       left join information_schema.columns c
         on c.table_schema = t.table_schema and c.table_name = t.table_name and c.collation_name is not null and c.collation_name <> ?
      where t.table_schema = database() and t.table_type = 'BASE TABLE' and (t.table_collation <> ? or c.column_name is not null)
      order by t.table_name`,
    [exact, exact],
  );
  return rows.map((r) => r.t);
}

/** Foreign keys with at least one text column. */
async function textForeignKeys(knex: Knex): Promise<ForeignKey[]> {
  return rowsOf<ForeignKey>(
    knex,
    `select rc.constraint_name as name, rc.table_name as \`table\`, rc.referenced_table_name as referencedTable,
            rc.update_rule as onUpdate, rc.delete_rule as onDelete,
            group_concat(k.column_name order by k.ordinal_position) as columns,
            group_concat(k.referenced_column_name order by k.ordinal_position) as referencedColumns
       from information_schema.referential_constraints rc
       join information_schema.key_column_usage k
         on k.constraint_schema = rc.constraint_schema and k.table_name = rc.table_name and k.constraint_name = rc.constraint_name
       join information_schema.columns c
         on c.table_schema = k.table_schema and c.table_name = k.table_name and c.column_name = k.column_name
      where rc.constraint_schema = database()
      group by rc.constraint_name, rc.table_name, rc.referenced_table_name, rc.update_rule, rc.delete_rule
     having sum(c.collation_name is not null) > 0`,
  );
}

function addForeignKey(knex: Knex, fk: ForeignKey): Knex.Raw {
  if (!rules.has(fk.onUpdate) || !rules.has(fk.onDelete))
    throw new Error(`foreign key ${fk.name}: unexpected rule ${fk.onUpdate}/${fk.onDelete}`);
  const columns = (list: string) =>
    list
      .split(',')
      .map(() => '??')
      .join(', ');
  return knex.raw(
    `alter table ?? add constraint ?? foreign key (${columns(fk.columns)}) references ?? (${columns(fk.referencedColumns)}) on update ${fk.onUpdate} on delete ${fk.onDelete}`,
    [fk.table, fk.name, ...fk.columns.split(','), fk.referencedTable, ...fk.referencedColumns.split(',')],
  );
}

export async function up(knex: Knex): Promise<void> {
  if (!String(knex.client.config.client).startsWith('mysql')) return;
  const tables = new Set(await inexactTables(knex));
  const foreignKeys = (await textForeignKeys(knex)).filter(
    (fk) => tables.has(fk.table) || tables.has(fk.referencedTable),
  );
  for (const fk of foreignKeys) await knex.raw('alter table ?? drop foreign key ??', [fk.table, fk.name]);
  for (const table of tables)
    await knex.raw(`alter table ?? convert to character set utf8mb4 collate ${exact}`, [table]);
  for (const fk of foreignKeys) await addForeignKey(knex, fk);
  await knex.raw(`alter database character set utf8mb4 collate ${exact}`);
}

/** Nothing to undo: which collation a database had before is not recorded, and exact is right. */
export async function down(): Promise<void> {}
