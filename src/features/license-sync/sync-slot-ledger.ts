import type { Db } from '../../infra/db/database.js';

/**
 * Where the workers reserve a KA configuration's key-read slots, so that however many workers
 * read one configuration, together they keep its rate.
 */
export interface SyncSlotLedger {
  /**
   * Reserves `count` slots `intervalMs` apart for a configuration, the first no earlier than
   * `now` and after every slot reserved before it by any worker; returns the first slot's time
   * (ms since the epoch). The run of slots ends `count × intervalMs` later, rounded up.
   */
  reserve(configurationId: number, count: number, intervalMs: number, now: number): Promise<number>;
}

/** Tries before a reservation gives up (each lost try means another worker's reservation went through). */
const maxTries = 100;

/**
 * The ledger in the database (`sync_rate_slots`), shared by every process on it: a reservation
 * reads the configuration's next free slot and moves it past its run under a guard on the value
 * read (compare and set), so two workers never hold the same slot. Slot times come from each
 * worker's clock: workers on several machines need their clocks in step (NTP), as the leases
 * already do.
 */
export class DatabaseSlotLedger implements SyncSlotLedger {
  constructor(private readonly db: Db) {}

  async reserve(configurationId: number, count: number, intervalMs: number, now: number): Promise<number> {
    const slots = () => this.db('sync_rate_slots').where({ configuration_id: configurationId });
    for (let tries = 0; tries < maxTries; tries += 1) {
      const row = (await slots().first('next_slot_at')) as { next_slot_at: number | string } | undefined;
      if (!row) {
        await this.db('sync_rate_slots')
          .insert({ configuration_id: configurationId, next_slot_at: 0 })
          .onConflict('configuration_id')
          .ignore();
        continue;
      }
      const held = Number(row.next_slot_at);
      const start = Math.max(now, held);
      const moved = await slots()
        .where({ next_slot_at: held })
        .update({ next_slot_at: Math.ceil(start + count * intervalMs) });
      if (moved === 1) return start;
    }
    throw new Error(
      `could not reserve key-read slots of KA configuration ${configurationId}: too many workers at once`,
    );
  }
}
