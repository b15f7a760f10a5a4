import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../../infra/db/database.js';
import { boundedJson } from '../../infra/db/bounded-text.js';
import type { EventType, StoredEvent } from './event-catalogue.js';
import type { OutboxPort } from './outbox-port.js';

export type { StoredEvent };

interface OutboxRow {
  id: number;
  event_id: string;
  type: string;
  entity_type: string;
  entity_id: string;
  payload: string;
  occurred_at: number | string;
  dispatched_at: number | string | null;
}

function fromRow(row: OutboxRow): StoredEvent {
  return {
    rowId: row.id,
    id: row.event_id,
    type: row.type as EventType,
    time: new Date(Number(row.occurred_at)).toISOString(),
    entity: { type: row.entity_type, id: row.entity_id },
    data: JSON.parse(row.payload) as Record<string, unknown>,
    dispatchedAt: row.dispatched_at === null ? null : Number(row.dispatched_at),
  };
}

/** The `outbox_events` table: written in the transaction of each change, read by the dispatcher. */
export class OutboxStore implements OutboxPort {
  async insert(
    db: DbOrTx,
    event: { type: EventType; entityType: string; entityId: string; data: Record<string, unknown>; at: number },
    options: { dispatched?: boolean } = {},
  ): Promise<StoredEvent> {
    const eventId = `evt_${randomUUID().replaceAll('-', '')}`;
    const payload = boundedJson(event.data, 1_000_000) ?? '{}';
    const [id] = await db('outbox_events').insert({
      event_id: eventId,
      type: event.type,
      entity_type: event.entityType,
      entity_id: event.entityId,
      payload,
      occurred_at: event.at,
      dispatched_at: options.dispatched ? event.at : null,
    });
    return {
      rowId: Number(id),
      id: eventId,
      type: event.type,
      time: new Date(event.at).toISOString(),
      entity: { type: event.entityType, id: event.entityId },
      data: JSON.parse(payload) as Record<string, unknown>,
      dispatchedAt: options.dispatched ? event.at : null,
    };
  }

  /**
   * Many events in a few multi-row inserts (a scheduler pass's batch): one round trip per
   * `chunk` events instead of one per event. Answers nothing: the dispatcher reads them back.
   */
  async insertMany(
    db: DbOrTx,
    events: Array<{ type: EventType; entityType: string; entityId: string; data: Record<string, unknown>; at: number }>,
    chunk = 200,
  ): Promise<void> {
    for (let i = 0; i < events.length; i += chunk) {
      await db('outbox_events').insert(
        events.slice(i, i + chunk).map((event) => ({
          event_id: `evt_${randomUUID().replaceAll('-', '')}`,
          type: event.type,
          entity_type: event.entityType,
          entity_id: event.entityId,
          payload: boundedJson(event.data, 1_000_000) ?? '{}',
          occurred_at: event.at,
          dispatched_at: null,
        })),
      );
    }
  }

  async get(db: DbOrTx, rowId: number): Promise<StoredEvent | undefined> {
    const row = await db<OutboxRow>('outbox_events').where({ id: rowId }).first();
    return row ? fromRow(row) : undefined;
  }

  /** Events not yet fanned out, oldest first, whose claim (if any) has lapsed. */
  async undispatched(db: DbOrTx, now: number, limit: number): Promise<StoredEvent[]> {
    const rows = await db<OutboxRow>('outbox_events')
      .whereNull('dispatched_at')
      .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now))
      .orderBy('id')
      .limit(limit);
    return rows.map(fromRow);
  }

  /** Marks the event fanned out; false when another worker did it first (its deliveries exist). */
  async markDispatched(db: DbOrTx, rowId: number, now: number): Promise<boolean> {
    return (
      (await db('outbox_events').where({ id: rowId }).whereNull('dispatched_at').update({ dispatched_at: now })) === 1
    );
  }

  /** Marks every one of `events` fanned out in one update; false when another worker did some of them first. */
  async markManyDispatched(db: DbOrTx, events: readonly StoredEvent[], now: number): Promise<boolean> {
    const ids = events.map((e) => e.rowId);
    return (
      (await db('outbox_events').whereIn('id', ids).whereNull('dispatched_at').update({ dispatched_at: now })) ===
      ids.length
    );
  }

  async since(db: DbOrTx, sinceMs: number, types: string[]): Promise<StoredEvent[]> {
    const q = db<OutboxRow>('outbox_events').where('occurred_at', '>=', sinceMs).orderBy('id');
    if (!types.includes('*')) q.whereIn('type', types);
    return (await q).map(fromRow);
  }

  async countUndispatched(db: DbOrTx): Promise<number> {
    const row = await db('outbox_events').whereNull('dispatched_at').count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  /** Newest first, filtered by type and entity (`license` or `license:42`). */
  async list(
    db: DbOrTx,
    filter: { type?: string; entityType?: string; entityId?: string; beforeId?: number; limit: number },
  ): Promise<StoredEvent[]> {
    const q = db<OutboxRow>('outbox_events').orderBy('id', 'desc').limit(filter.limit);
    if (filter.type) q.where({ type: filter.type });
    if (filter.entityType) q.where({ entity_type: filter.entityType });
    if (filter.entityId) q.where({ entity_id: filter.entityId });
    if (filter.beforeId) q.where('id', '<', filter.beforeId);
    return (await q).map(fromRow);
  }
}
