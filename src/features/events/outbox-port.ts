import type { DbOrTx } from '../../infra/db/database.js';
import type { EventType, StoredEvent } from './event-catalogue.js';

/**
 * What the features that deliver events (webhooks, mail) may do with the outbox: read an
 * event, and add one that is delivered to one receiver only (a webhook's test event), already
 * marked dispatched. `OutboxStore` implements it; the composition root hands it over.
 */
export interface OutboxPort {
  get(db: DbOrTx, rowId: number): Promise<StoredEvent | undefined>;
  insert(
    db: DbOrTx,
    event: { type: EventType; entityType: string; entityId: string; data: Record<string, unknown>; at: number },
    options?: { dispatched?: boolean },
  ): Promise<StoredEvent>;
  /** Events since `sinceMs`, oldest first; of `types` only, unless it holds `*`. */
  since(db: DbOrTx, sinceMs: number, types: string[]): Promise<StoredEvent[]>;
}

/**
 * A receiver of the fan-out: writes, in the transaction that marks `event` dispatched, the
 * work it causes (a delivery per endpoint, the mails). Run once per event.
 */
export type EventReceiver = (tx: DbOrTx, event: StoredEvent, now: number) => Promise<void>;
