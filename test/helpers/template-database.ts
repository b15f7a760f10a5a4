import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, type Db } from '../../src/infra/db/database.js';
import { migrateLatest, migrationsDir } from '../../src/infra/db/migrator.js';

/**
 * Migrated template databases, made once per set of migrations and copied for each test
 * database: migrating MariaDB takes seconds per database, copying its schema a fraction of
 * that. The template's name carries a hash of the migration files, so a changed migration
 * makes a new template and the tests never run on a stale schema.
 */
/**
 * The templates' name: the run's own when `npm run test:integration` gave one (it drops them
 * when the run ends), else the migrations' hash (a cache a direct `npx ava` run reuses).
 */
export function templateKey(): string {
  const run = process.env.KEYWAY_TEST_RUN_ID;
  return run && /^[a-z0-9]{1,24}$/.test(run) ? `run_${run}` : migrationsHash();
}

export function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(migrationsDir).sort()) {
    hash.update(file);
    hash.update(fs.readFileSync(path.join(migrationsDir, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

/** A new installation id, as migration 009 makes one: copies must not share their template's. */
function freshInstallationId(): string {
  return [...randomBytes(10)].map((byte) => 'abcdefghijklmnopqrstuvwxyz234567'[byte % 32]).join('');
}

async function giveOwnInstallationId(db: Db): Promise<void> {
  await db('installation_settings').where({ name: 'installation_id' }).update({ value: freshInstallationId() });
}

// ---------------------------------------------------------------- SQLite

/** The SQLite template file of this run (or of this set of migrations). */
export function sqliteTemplatePath(): string {
  return path.join(os.tmpdir(), `keyway-test-template-${templateKey()}.sqlite`);
}

/**
 * The migrated SQLite template file of this set of migrations, made by the first test process
 * that needs it: migrated under a name of its own, then renamed into place (atomic), so a
 * process racing it either finds the whole file or makes its own.
 */
async function sqliteTemplateFile(): Promise<string> {
  const file = sqliteTemplatePath();
  if (fs.existsSync(file)) return file;
  const building = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const db = createDatabase(`sqlite:${building}`);
  try {
    await migrateLatest(db);
    // One self-contained file: no WAL beside it to copy or lose.
    await db.raw('PRAGMA journal_mode = DELETE');
  } finally {
    await db.destroy();
  }
  fs.renameSync(building, file);
  return file;
}

/**
 * An in-memory SQLite database with the template's schema and rows: its statements replayed
 * from the template's `sqlite_master` (tables first, then indexes and triggers), its rows copied.
 */
export async function cloneSqliteTemplate(): Promise<Db> {
  const template = await sqliteTemplateFile();
  const db = createDatabase('sqlite::memory:');
  // The pool holds one connection, so the pragma and the attachment apply to every statement below.
  await db.raw('PRAGMA foreign_keys = OFF');
  await db.raw('ATTACH DATABASE ? AS template', [template]);
  const objects = (await db.raw(
    "SELECT type, name, sql FROM template.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, rowid",
  )) as Array<{ type: string; name: string; sql: string }>;
  for (const object of objects) await db.raw(object.sql);
  for (const table of objects.filter((o) => o.type === 'table'))
    await db.raw(`INSERT INTO main."${table.name}" SELECT * FROM template."${table.name}"`);
  await db.raw('DETACH DATABASE template');
  await db.raw('PRAGMA foreign_keys = ON');
  await giveOwnInstallationId(db);
  return db;
}

// ---------------------------------------------------------------- MariaDB

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

const templatePrefix = 'keyway_test_template_';

/** The MariaDB template of this run (or of this set of migrations). */
export function mysqlTemplateName(): string {
  return `${templatePrefix}${templateKey()}`;
}

/**
 * The migrated MariaDB template of this set of migrations. Made under a server-wide lock
 * (GET_LOCK), so concurrent test processes make it once; a marker table written last says it
 * is complete. Templates of other migration sets are left alone: branches with other
 * migrations share the test server, and dropping theirs failed their copies mid-run.
 */
async function mysqlTemplate(serverUrl: string): Promise<string> {
  const name = mysqlTemplateName();
  const admin = createDatabase(withDatabase(serverUrl, ''), { poolMax: 1 });
  try {
    const [[lock]] = (await admin.raw("SELECT GET_LOCK('keyway_test_template', 120) AS got")) as [
      Array<{ got: number }>,
    ];
    if (Number(lock?.got) !== 1) throw new Error('could not take the lock on the test template database');
    try {
      const [ready] = (await admin.raw(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = 'template_ready'",
        [name],
      )) as [unknown[]];
      if (ready.length) return name;
      // Exactly as the README says (no collation), so migration 007 does what it does on an installation.
      await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
      const db = createDatabase(withDatabase(serverUrl, name));
      try {
        await migrateLatest(db);
        await db.raw('CREATE TABLE template_ready (id INT)');
      } finally {
        await db.destroy();
      }
      return name;
    } finally {
      await admin.raw("SELECT RELEASE_LOCK('keyway_test_template')");
    }
  } finally {
    await admin.destroy();
  }
}

/**
 * Creates database `name` as a copy of the template: the template's default character set
 * and collation, each table's own `CREATE TABLE` (foreign keys included, which `CREATE TABLE
 * ... LIKE` would drop) and its rows.
 */
export async function cloneMysqlTemplate(serverUrl: string, name: string): Promise<void> {
  const template = await mysqlTemplate(serverUrl);
  const admin = createDatabase(withDatabase(serverUrl, ''), { poolMax: 1 });
  try {
    const [[schema]] = (await admin.raw(
      'SELECT default_character_set_name AS cs, default_collation_name AS co FROM information_schema.schemata WHERE schema_name = ?',
      [template],
    )) as [Array<{ cs: string; co: string }>];
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET ${schema?.cs} COLLATE ${schema?.co}`);
    const [tables] = (await admin.raw(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_name <> 'template_ready'",
      [template],
    )) as [Array<{ t: string }>];
    await admin.raw(`USE \`${name}\``);
    await admin.raw('SET FOREIGN_KEY_CHECKS = 0');
    for (const { t } of tables) {
      const [[created]] = (await admin.raw(`SHOW CREATE TABLE \`${template}\`.\`${t}\``)) as [
        Array<Record<string, string>>,
      ];
      await admin.raw(created?.['Create Table'] as string);
      await admin.raw(`INSERT INTO \`${t}\` SELECT * FROM \`${template}\`.\`${t}\``);
    }
    await admin.raw('SET FOREIGN_KEY_CHECKS = 1');
  } finally {
    await admin.destroy();
  }
  const db = createDatabase(withDatabase(serverUrl, name), { poolMax: 1 });
  try {
    await giveOwnInstallationId(db);
  } finally {
    await db.destroy();
  }
}

/**
 * Drops this run's templates (the MariaDB database and the SQLite file), as every database a
 * test run makes is dropped when it ends. Called by `test/run-integration.ts`.
 */
export async function dropRunTemplates(serverUrl: string | undefined): Promise<void> {
  fs.rmSync(sqliteTemplatePath(), { force: true });
  if (!serverUrl) return;
  const admin = createDatabase(withDatabase(serverUrl, ''), { poolMax: 1 });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS \`${mysqlTemplateName()}\``);
  } finally {
    await admin.destroy();
  }
}
