import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { EventReceiver } from './outbox-port.js';
import type { OutboxStore } from './outbox-store.js';

/**
 * Fans each outbox event out, oldest first, to its receivers (webhooks: a delivery per
 * subscribed endpoint; mail: the mails it causes), in one transaction that also marks it
 * dispatched: a worker dying half way leaves it undispatched for the next, and two workers
 * cannot fan one event out twice.
 */
export class EventDispatcher {
  constructor(private readonly deps: { db: Db; outbox: OutboxStore; receivers: EventReceiver[]; now?: () => number }) {}

  async runDue(limit = 200): Promise<number> {
    const { db, outbox } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    let done = 0;
    for (const event of await outbox.undispatched(db, now, limit)) {
      const fanned = await transaction(db, async (tx) => {
        if (!(await outbox.markDispatched(tx, event.rowId, now))) return false;
        for (const receive of this.deps.receivers) await receive(tx, event, now);
        return true;
      });
      if (fanned) done += 1;
    }
    return done;
  }
}
