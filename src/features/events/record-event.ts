import type { DbOrTx } from '../../infra/db/database.js';
import type { TransitionEvent, TransitionEventWriter } from '../audit/transition.js';
import { type EventType, eventCatalogue, isEventType } from './event-catalogue.js';
import { snapshotOf, snapshotsOf } from './event-snapshots.js';
import { OutboxStore, type StoredEvent } from './outbox-store.js';

const store = new OutboxStore();

/** An event to record: its type, the id of the entity its catalogue entry names, and data beyond the entity's snapshot. */
export interface EventInput {
  type: EventType;
  entityId: number;
  data?: Record<string, unknown>;
  at?: number;
  /** The entity's snapshot when the caller built it from what it wrote (see `TransitionEvent.snapshot`). */
  snapshot?: Record<string, unknown>;
}

/**
 * The one way an event enters the outbox: call it with the transaction of the change that
 * caused it, so a rolled-back change leaves no event and a committed one always has it. The
 * event carries the entity's snapshot as this transaction sees it, plus `data`.
 */
export async function recordEvent(tx: DbOrTx, event: EventInput): Promise<StoredEvent> {
  const { entityType } = eventCatalogue[event.type];
  const snapshot = snapshotOf[entityType];
  const read = event.snapshot ?? (snapshot ? await snapshot(tx, event.entityId) : {});
  const data = { ...read, ...event.data };
  return store.insert(tx, {
    type: event.type,
    entityType,
    entityId: String(event.entityId),
    data,
    at: event.at ?? Date.now(),
  });
}

/**
 * `recordEvent` for many events at once, in the transaction of the change that caused them all
 * (a scheduler pass's batch): the snapshots of each entity type are read together and the rows
 * inserted in a few statements, so a batch costs a few queries whatever its size.
 */
export async function recordEvents(tx: DbOrTx, events: EventInput[]): Promise<void> {
  const byType = new Map<string, number[]>();
  for (const event of events) {
    if (event.snapshot) continue;
    const { entityType } = eventCatalogue[event.type];
    const ids = byType.get(entityType) ?? [];
    ids.push(event.entityId);
    byType.set(entityType, ids);
  }
  const snapshots = new Map<string, Map<number, Record<string, unknown>>>();
  for (const [entityType, ids] of byType) {
    const many = snapshotsOf[entityType];
    const one = snapshotOf[entityType];
    if (many) snapshots.set(entityType, await many(tx, ids));
    else if (one) {
      const each = new Map<number, Record<string, unknown>>();
      for (const id of ids) each.set(id, await one(tx, id));
      snapshots.set(entityType, each);
    }
  }
  const now = Date.now();
  await store.insertMany(
    tx,
    events.map((event) => {
      const { entityType } = eventCatalogue[event.type];
      const snapshot = event.snapshot ?? snapshots.get(entityType)?.get(event.entityId);
      if (!snapshot && snapshotOf[entityType]) throw new Error(`${entityType} ${event.entityId} does not exist`);
      return {
        type: event.type,
        entityType,
        entityId: String(event.entityId),
        data: { ...snapshot, ...event.data },
        at: event.at ?? now,
      };
    }),
  );
}

/**
 * The outbox as `applyTransition` writes to it. The event's entity is the row that moved,
 * unless its type names another entity (a license request's move that installs its license):
 * then the payload's `entityId` says which.
 */
export const outboxEventWriter: TransitionEventWriter = {
  async write(tx: DbOrTx, event: TransitionEvent & { entityType: string; entityId: number }): Promise<void> {
    await recordEvent(tx, eventOfTransition(event));
  },
  async writeMany(tx: DbOrTx, events: Array<TransitionEvent & { entityType: string; entityId: number }>) {
    await recordEvents(tx, events.map(eventOfTransition));
  },
};

function eventOfTransition(event: TransitionEvent & { entityType: string; entityId: number }): EventInput {
  if (!isEventType(event.type)) throw new Error(`event type ${event.type} is not in the event catalogue`);
  const { entityId: named, ...data } = event.payload;
  const entityId = eventCatalogue[event.type].entityType === event.entityType ? event.entityId : Number(named);
  if (!Number.isSafeInteger(entityId) || entityId < 1) {
    throw new Error(
      `event ${event.type} on a ${event.entityType} must name its ${eventCatalogue[event.type].entityType}`,
    );
  }
  return { type: event.type, entityId, data, ...(event.snapshot ? { snapshot: event.snapshot } : {}) };
}
