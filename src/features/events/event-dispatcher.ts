import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { EventReceiver } from './outbox-port.js';
import type { OutboxStore } from './outbox-store.js';

/**
 * Fans each outbox event out, oldest first, to its receivers (webhooks: a delivery per
 * subscribed endpoint; mail: the mails it causes), in the transaction that also marks it
 * dispatched: a worker dying half way leaves it undispatched for the next, and two workers
 * cannot fan one event out twice.
 *
 * A page of events goes in one transaction, marked with one update, when this worker can mark
 * them all; otherwise (another worker took some, or one event's fan-out failed) the page is
 * rolled back and its events go one transaction each, so a failing event holds back only
 * itself.
 */
export class EventDispatcher {
  constructor(private readonly deps: { db: Db; outbox: OutboxStore; receivers: EventReceiver[]; now?: () => number }) {}

  async runDue(limit = 200): Promise<number> {
    const { db, outbox } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const events = await outbox.undispatched(db, now, limit);
    if (events.length > 1) {
      const whole = await transaction(db, async (tx) => {
        if (!(await outbox.markManyDispatched(tx, events, now))) throw new PageTaken();
        for (const event of events) for (const receive of this.deps.receivers) await receive(tx, event, now);
        return events.length;
      }).catch(() => undefined);
      if (whole !== undefined) return whole;
    }
    let done = 0;
    for (const event of events) {
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

/** Rolls a page back: another worker marked some of its events first. */
class PageTaken extends Error {}
