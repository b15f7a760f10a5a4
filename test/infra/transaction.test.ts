import test from 'ava';
import type { Knex } from 'knex';
import { isLockConflict, transaction } from '../../src/infra/db/transaction.js';
import { testDialects, useTestDatabase } from '../helpers/test-database.js';

for (const dialect of testDialects()) {
  const database = useTestDatabase(dialect);

  if (dialect === 'mysql') {
    test(`${dialect}: every pooled connection runs READ COMMITTED`, async (t) => {
      // Several at once, so the pool opens several connections.
      // MariaDB names it tx_isolation, MySQL 8 transaction_isolation.
      const isolationOf = async (tx: Knex.Transaction) => {
        const [rows] = (await tx.raw(
          "SHOW SESSION VARIABLES WHERE Variable_name IN ('tx_isolation', 'transaction_isolation')",
        )) as [Array<{ Value: string }>];
        return rows[0]?.Value;
      };
      const levels = await Promise.all(Array.from({ length: 4 }, () => database.db.transaction(isolationOf)));
      t.deepEqual([...new Set(levels)], ['READ-COMMITTED']);
    });

    test(`${dialect}: a transaction the database rolls back to break a deadlock is run again`, async (t) => {
      const db = database.db;
      await db.schema.createTable('deadlock_probe', (tb) => {
        tb.integer('id').primary();
        tb.integer('n').notNullable();
      });
      t.teardown(() => db.schema.dropTableIfExists('deadlock_probe'));
      await db('deadlock_probe').insert([
        { id: 1, n: 0 },
        { id: 2, n: 0 },
      ]);
      // Two transactions lock the two rows in opposite orders, each waiting for the other
      // after its first lock: MariaDB kills one, and the helper runs it again.
      let bothHoldOne: () => void = () => {};
      const bothLocked = new Promise<void>((resolve) => {
        let held = 0;
        bothHoldOne = () => {
          held += 1;
          if (held === 2) resolve();
        };
      });
      let attempts = 0;
      const crosswise = (first: number, second: number) =>
        transaction(db, async (tx) => {
          attempts += 1;
          await tx('deadlock_probe').where({ id: first }).increment('n', 1);
          if (attempts <= 2) {
            bothHoldOne();
            await bothLocked;
          }
          await tx('deadlock_probe').where({ id: second }).increment('n', 1);
        });
      await Promise.all([crosswise(1, 2), crosswise(2, 1)]);
      t.is(attempts, 3);
      t.deepEqual(((await db('deadlock_probe').orderBy('id').pluck('n')) as number[]).map(Number), [2, 2]);
    });
  }

  test(`${dialect}: any other failure is not retried`, async (t) => {
    let attempts = 0;
    await t.throwsAsync(
      transaction(database.db, async () => {
        attempts += 1;
        throw new Error('not a lock conflict');
      }),
      { message: 'not a lock conflict' },
    );
    t.is(attempts, 1);
    t.false(isLockConflict(new Error('x')));
    t.true(isLockConflict(Object.assign(new Error('deadlock'), { errno: 1213 })));
  });
}
