import test from 'ava';
import { loadConfig } from '../../src/config/config.js';
import { migrateBefore, migrateLatest } from '../../src/infra/db/migrator.js';
import { inexactTextColumns } from '../../src/infra/db/text-collation.js';
import { createLogger } from '../../src/infra/log/logger.js';
import { startKeyway } from '../../src/server.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { testMysqlUrl } from '../helpers/test-env.js';

type Row = Record<string, unknown>;

if (!testMysqlUrl)
  test.skip('collation upgrade: needs KEYWAY_TEST_MYSQL_URL (SQLite compares exactly already)', () => {});
else {
  test.serial(
    'mysql: a database created as the README says, migrated by an older Keyway, is converted to exact comparison with its rows and foreign keys',
    async (t) => {
      const database = await createTestDatabase('mysql', { migrate: false });
      const { db } = database;
      try {
        await migrateBefore(db, '007');
        const now = Date.now();
        await db('ka_plugins').insert({
          name: 'parallels-ka',
          display_name: 'KA',
          version: '1',
          status: 'available',
          definition: '{}',
          created_at: now,
          updated_at: now,
        });
        const [configurationId] = await db('ka_configurations').insert({
          name: 'KA',
          plugin_name: 'parallels-ka',
          settings: '{}',
          status: 'configured',
          created_at: now,
          updated_at: now,
        });
        const [customerId] = await db('customers').insert({
          name: 'Ada',
          email: 'ada@example.com',
          external_ref: 'acme',
          created_at: now,
          updated_at: now,
        });
        const [planId] = await db('plans').insert({
          code: 'p',
          name: 'P',
          periods: '[12]',
          created_at: now,
          updated_at: now,
        });
        await db('orders').insert({
          reference: 'demo-1',
          customer_id: customerId,
          plan_id: planId,
          period_months: 12,
          state: 'paid',
          created_at: now,
          updated_at: now,
        });
        // Named, not counted: later migrations add foreign keys of their own tables.
        const foreignKeys = async () =>
          (
            (
              await db.raw(
                'select table_name as t, constraint_name as c from information_schema.referential_constraints where constraint_schema = database()',
              )
            )[0] as Array<{ t: string; c: string }>
          )
            .map((k) => `${k.t}.${k.c}`)
            .sort();
        const keysBefore = await foreignKeys();
        // The defect as an installation has it: the README's database finds demo-1 for DEMO-1.
        t.truthy(await db('orders').where({ reference: 'DEMO-1' }).first());
        t.like(
          (await inexactTextColumns(db)).find((c) => c.table === 'orders' && c.column === 'reference'),
          { collation: 'utf8mb4_general_ci' },
        );

        // Keyway refuses such a database (here with migrations off) and says how to fix it.
        const config = loadConfig({
          PORT: '0',
          KEYWAY_DB_URL: database.url,
          KEYWAY_MIGRATE_ON_START: 'false',
          KEYWAY_DEMO: 'false',
          KEYWAY_ADMIN_TOKEN: 'kw_test_admin_token_0123456789abcdef',
          KEYWAY_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
        });
        const refused = await t.throwsAsync(startKeyway(config, createLogger('silent'), { print: () => {} }));
        t.regex(
          refused?.message ?? '',
          /KEYWAY_DB_URL: tables .*\borders\b.* and the database default compare text with utf8mb4_general_ci, which ignores case.*npm run migrate/s,
        );

        await migrateLatest(db);
        t.deepEqual(await inexactTextColumns(db), []);
        t.is(await db('orders').where({ reference: 'DEMO-1' }).first(), undefined);
        t.like((await db('orders').where({ reference: 'demo-1' }).first()) as Row, { customer_id: customerId });
        t.like((await db('customers').where({ external_ref: 'acme' }).first()) as Row, { id: customerId });
        t.like((await db('ka_configurations').where({ id: configurationId }).first()) as Row, {
          plugin_name: 'parallels-ka',
        });
        // The foreign key on the text column is back, and checks exactly.
        const keysAfter = await foreignKeys();
        t.deepEqual(
          keysBefore.filter((key) => !keysAfter.includes(key)),
          [],
        );
        await t.throwsAsync(
          db('ka_configurations').insert({
            name: 'KA 2',
            plugin_name: 'PARALLELS-KA',
            settings: '{}',
            status: 'configured',
            created_at: now,
            updated_at: now,
          }),
          { message: /foreign key constraint fails/ },
        );
        // Tables created later compare exactly too: the database default changed.
        await db.schema.createTable('later_table', (table) => table.string('code', 20));
        t.deepEqual(await inexactTextColumns(db), []);
        // Running the conversion again finds nothing to do.
        const migration = await import('../../migrations/007_binary_collation.js');
        await migration.up(db);
        t.deepEqual(await inexactTextColumns(db), []);
      } finally {
        await database.drop();
      }
    },
  );
}
