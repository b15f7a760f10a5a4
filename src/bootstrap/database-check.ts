import { ConfigError } from '../config/config.js';
import type { DbOrTx } from '../infra/db/database.js';
import { binaryCollation, inexactTextColumns } from '../infra/db/text-collation.js';

/**
 * Refuses a MySQL database whose text does not compare exactly (a table left behind by a
 * migration not run yet, or changed by hand): there `DEMO-1` would find the order `demo-1`,
 * which SQLite and Keyway's tests treat as another one.
 */
export async function assertExactTextComparison(db: DbOrTx): Promise<void> {
  const problems = await inexactTextColumns(db);
  if (!problems.length) return;
  const tables = [...new Set(problems.filter((p) => p.column).map((p) => p.table))];
  const where = [
    tables.length ? `table${tables.length > 1 ? 's' : ''} ${tables.join(', ')}` : '',
    problems.some((p) => !p.column) ? 'the database default' : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const collations = [...new Set(problems.map((p) => p.collation))].join(', ');
  throw new ConfigError([
    `KEYWAY_DB_URL: ${where} compare text with ${collations}, which ignores case; Keyway needs ${binaryCollation}. ` +
      `Run \`npm run migrate\` (migration 007 converts the tables and the database default), or ALTER TABLE <table> CONVERT TO CHARACTER SET utf8mb4 COLLATE ${binaryCollation} for each table named.`,
  ]);
}
