import test from 'ava';
import { createDatabase } from '../../../src/infra/db/database.js';
import { SyncPacer } from '../../../src/features/license-sync/sync-pacer.js';
import { DatabaseSlotLedger } from '../../../src/features/license-sync/sync-slot-ledger.js';
import { insertKaConfiguration } from '../../helpers/catalog-fixtures.js';
import { testDialects, useTestDatabase } from '../../helpers/test-database.js';

for (const dialect of testDialects()) {
  const database = useTestDatabase(dialect);

  test.serial(`${dialect}: workers pacing one configuration together keep its rate, on the real clock`, async (t) => {
    const configurationId = await insertKaConfiguration(database.db, `KA ${Math.random()}`);
    // Each "worker" its own pool on MariaDB, as separate processes have (SQLite in memory is one connection).
    const second = dialect === 'mysql' ? createDatabase(database.url) : database.db;
    try {
      const workers = [
        new SyncPacer(new DatabaseSlotLedger(database.db)),
        new SyncPacer(new DatabaseSlotLedger(second)),
        new SyncPacer(new DatabaseSlotLedger(second)),
      ];
      const rate = 80;
      const slots: number[] = [];
      // Each worker runs four readers at once, as concurrent bulk jobs and passes do.
      await Promise.all(
        workers.flatMap((pacer) =>
          Array.from({ length: 4 }, async () => {
            for (let i = 0; i < 10; i += 1) slots.push(await pacer.take(configurationId, rate));
          }),
        ),
      );
      slots.sort((a, b) => a - b);
      t.is(slots.length, 120);
      const gaps = slots.slice(1).map((at, i) => at - (slots[i] as number));
      t.true(Math.min(...gaps) >= 1000 / rate - 1e-9, `closest slots ${Math.min(...gaps)} ms apart`);
      for (const at of slots) t.true(slots.filter((o) => o >= at && o < at + 1000).length <= rate);
      // The ledger moved past every slot handed out.
      const row = await database.db('sync_rate_slots').where({ configuration_id: configurationId }).first();
      t.true(Number(row?.next_slot_at) >= (slots.at(-1) as number));
    } finally {
      if (second !== database.db) await second.destroy();
    }
  });
}
