import { boundedJson, clip } from '../../infra/db/bounded-text.js';
import type { DbOrTx } from '../../infra/db/database.js';
import { fromJson, toIso } from '../../infra/db/rows.js';
import type { AuditEvent, AuditEventInput } from './audit-event.js';

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  sinceMs?: number;
  untilMs?: number;
  /** Keyset: events with a smaller id (newest first). */
  beforeId?: number;
  limit: number;
}

interface AuditRow {
  id: number | string;
  at: number | string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  from_state: string | null;
  to_state: string | null;
  data: string | null;
  error: string | null;
}

function toEvent(row: AuditRow): AuditEvent {
  return {
    id: Number(row.id),
    at: toIso(row.at) ?? '',
    actor: {
      type: row.actor_type as AuditEvent['actor']['type'],
      id: row.actor_id ?? undefined,
      name: row.actor_name ?? undefined,
    },
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    fromState: row.from_state,
    toState: row.to_state,
    data: fromJson(row.data, null),
    error: fromJson(row.error, null),
  };
}

/** Writes audit events, in the transaction of the change they describe. */
export interface AuditWriter {
  record(db: DbOrTx, event: AuditEventInput): Promise<void>;
  /** Several events of one change, in order. */
  recordMany(db: DbOrTx, events: AuditEventInput[]): Promise<void>;
}

/**
 * Append-only record of every staff action and pipeline step. Written in the same
 * transaction as the change it describes, so the log never disagrees with the data.
 */
export class AuditStore implements AuditWriter {
  constructor(private readonly now: () => number = Date.now) {}

  async record(db: DbOrTx, event: AuditEventInput): Promise<void> {
    await this.recordMany(db, [event]);
  }

  /** Several events of one change in one insert, in order. */
  async recordMany(db: DbOrTx, events: AuditEventInput[]): Promise<void> {
    if (!events.length) return;
    const at = this.now();
    await db('audit_events').insert(
      events.map((event) => ({
        at,
        actor_type: event.actor.type,
        actor_id: event.actor.id === undefined ? null : clip(event.actor.id, 80),
        actor_name: event.actor.name === undefined ? null : clip(event.actor.name, 200),
        action: event.action,
        entity_type: event.entityType,
        entity_id: String(event.entityId),
        from_state: event.fromState ?? null,
        to_state: event.toState ?? null,
        data: boundedJson(event.data),
        error: boundedJson(event.error),
      })),
    );
  }

  async list(db: DbOrTx, query: AuditQuery): Promise<AuditEvent[]> {
    const q = db<AuditRow>('audit_events').orderBy('id', 'desc').limit(query.limit);
    if (query.entityType) q.where('entity_type', query.entityType);
    if (query.entityId) q.where('entity_id', query.entityId);
    if (query.actorId) q.where('actor_id', query.actorId);
    if (query.action) q.where('action', query.action);
    if (query.sinceMs !== undefined) q.where('at', '>=', query.sinceMs);
    if (query.untilMs !== undefined) q.where('at', '<', query.untilMs);
    if (query.beforeId !== undefined) q.where('id', '<', query.beforeId);
    return (await q).map(toEvent);
  }

  /** The history of one entity, oldest first. */
  async history(db: DbOrTx, entityType: string, entityId: string | number): Promise<AuditEvent[]> {
    const rows = await db<AuditRow>('audit_events')
      .where({ entity_type: entityType, entity_id: String(entityId) })
      .orderBy('id', 'asc');
    return rows.map(toEvent);
  }
}
