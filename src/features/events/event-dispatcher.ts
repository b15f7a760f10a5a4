import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { MailPlanner } from '../mail/mail-planner.js';
import type { WebhookDeliveryStore } from '../webhooks/webhook-delivery-store.js';
import type { WebhookEndpointStore } from '../webhooks/webhook-endpoint-store.js';
import type { OutboxStore } from './outbox-store.js';

/**
 * Fans each outbox event out, oldest first, into a delivery per subscribed endpoint and the
 * mails it causes, in one transaction that also marks it dispatched: a worker dying half way
 * leaves it undispatched for the next, and two workers cannot fan one event out twice.
 */
export class EventDispatcher {
  constructor(
    private readonly deps: {
      db: Db;
      outbox: OutboxStore;
      endpoints: WebhookEndpointStore;
      deliveries: WebhookDeliveryStore;
      mail: MailPlanner;
      now?: () => number;
    },
  ) {}

  async runDue(limit = 200): Promise<number> {
    const { db, outbox } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    let done = 0;
    for (const event of await outbox.undispatched(db, now, limit)) {
      const fanned = await transaction(db, async (tx) => {
        if (!(await outbox.markDispatched(tx, event.rowId, now))) return false;
        for (const endpoint of await this.deps.endpoints.subscribedTo(tx, event.type)) {
          await this.deps.deliveries.insert(tx, {
            endpointId: endpoint.id,
            outboxEventId: event.rowId,
            entityKey: `${event.entity.type}:${event.entity.id}`,
            now,
          });
        }
        await this.deps.mail.plan(tx, event, now);
        return true;
      });
      if (fanned) done += 1;
    }
    return done;
  }
}
