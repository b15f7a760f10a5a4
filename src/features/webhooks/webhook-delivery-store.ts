import { clip } from '../../infra/db/bounded-text.js';
import type { DbOrTx } from '../../infra/db/database.js';

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: number;
  endpointId: number;
  outboxEventId: number;
  eventId: string;
  eventType: string;
  entityKey: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface WebhookAttempt {
  id: number;
  deliveryId: number;
  attempt: number;
  at: string;
  statusCode: number | null;
  latencyMs: number;
  responseExcerpt: string | null;
  error: string | null;
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

function deliveryOf(row: Record<string, unknown>): WebhookDelivery {
  return {
    id: Number(row.id),
    endpointId: Number(row.endpoint_id),
    outboxEventId: Number(row.outbox_event_id),
    eventId: String(row.event_id),
    eventType: String(row.type),
    entityKey: String(row.entity_key),
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    nextAttemptAt: row.state === 'pending' ? iso(row.next_attempt_at) : null,
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: (row.last_error as string | null) ?? null,
    createdAt: iso(row.created_at) as string,
    deliveredAt: iso(row.delivered_at),
  };
}

/** The `webhook_deliveries` and `webhook_attempts` tables: one delivery per event and endpoint, one attempt per POST. */
export class WebhookDeliveryStore {
  async insert(
    db: DbOrTx,
    input: { endpointId: number; outboxEventId: number; entityKey: string; now: number },
  ): Promise<number> {
    const [id] = await db('webhook_deliveries').insert({
      endpoint_id: input.endpointId,
      outbox_event_id: input.outboxEventId,
      entity_key: input.entityKey,
      state: 'pending',
      attempts: 0,
      next_attempt_at: input.now,
      created_at: input.now,
    });
    return Number(id);
  }

  private query(db: DbOrTx) {
    return db('webhook_deliveries as d')
      .join('outbox_events as e', 'e.id', 'd.outbox_event_id')
      .select('d.*', 'e.event_id', 'e.type');
  }

  async get(db: DbOrTx, id: number): Promise<WebhookDelivery | undefined> {
    const row = await this.query(db).where('d.id', id).first();
    return row ? deliveryOf(row) : undefined;
  }

  /** Newest first. */
  async listOf(db: DbOrTx, endpointId: number, limit: number, beforeId?: number): Promise<WebhookDelivery[]> {
    const q = this.query(db).where('d.endpoint_id', endpointId).orderBy('d.id', 'desc').limit(limit);
    if (beforeId) q.where('d.id', '<', beforeId);
    return (await q).map(deliveryOf);
  }

  async attemptsOf(db: DbOrTx, deliveryIds: number[]): Promise<WebhookAttempt[]> {
    if (!deliveryIds.length) return [];
    const rows = await db('webhook_attempts').whereIn('delivery_id', deliveryIds).orderBy('id');
    return rows.map((r) => ({
      id: Number(r.id),
      deliveryId: Number(r.delivery_id),
      attempt: Number(r.attempt),
      at: iso(r.at) as string,
      statusCode: r.status_code === null ? null : Number(r.status_code),
      latencyMs: Number(r.latency_ms),
      responseExcerpt: r.response_excerpt ?? null,
      error: r.error ?? null,
    }));
  }

  /**
   * Deliveries due now, oldest first: pending, their time come, not leased, of an enabled
   * endpoint, and first in line for their endpoint and entity (an earlier pending delivery of
   * the same entity holds the later ones back, so each receiver sees an entity's events in order).
   */
  async due(db: DbOrTx, now: number, limit: number): Promise<Array<{ id: number; endpointId: number }>> {
    const rows = await db('webhook_deliveries as d')
      .join('webhook_endpoints as w', 'w.id', 'd.endpoint_id')
      .where('d.state', 'pending')
      .andWhere('d.next_attempt_at', '<=', now)
      .andWhere('w.enabled', true)
      .andWhere((q) => q.whereNull('d.lease_until').orWhere('d.lease_until', '<', now))
      .whereNotExists(
        db('webhook_deliveries as earlier')
          .select(db.raw('1'))
          .whereRaw('earlier.endpoint_id = d.endpoint_id')
          .andWhereRaw('earlier.entity_key = d.entity_key')
          .andWhereRaw('earlier.id < d.id')
          .andWhere('earlier.state', 'pending'),
      )
      .orderBy('d.id')
      .limit(limit)
      .select('d.id', 'd.endpoint_id');
    return rows.map((r) => ({ id: Number(r.id), endpointId: Number(r.endpoint_id) }));
  }

  /** Claims a due delivery for one worker until `leaseUntil`; false when another has it. */
  async claim(db: DbOrTx, id: number, token: string, now: number, leaseUntil: number): Promise<boolean> {
    const changed = await db('webhook_deliveries')
      .where({ id, state: 'pending' })
      .andWhere('next_attempt_at', '<=', now)
      .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now))
      .update({ lease_token: token, lease_until: leaseUntil });
    return changed === 1;
  }

  async recordAttempt(
    db: DbOrTx,
    input: {
      deliveryId: number;
      endpointId: number;
      attempt: number;
      at: number;
      statusCode?: number;
      latencyMs: number;
      excerpt: string;
      error?: string;
    },
  ): Promise<void> {
    await db('webhook_attempts').insert({
      delivery_id: input.deliveryId,
      endpoint_id: input.endpointId,
      attempt: input.attempt,
      at: input.at,
      status_code: input.statusCode ?? null,
      latency_ms: input.latencyMs,
      response_excerpt: input.excerpt ? clip(input.excerpt, 1024) : null,
      error: input.error ? clip(input.error, 500) : null,
    });
  }

  /** Ends the worker's claim with the outcome; false when the lease was lost (another worker took over). */
  async settle(
    db: DbOrTx,
    id: number,
    token: string,
    outcome: {
      state: DeliveryState;
      attempts: number;
      nextAttemptAt: number;
      lastStatus?: number;
      lastError?: string;
      deliveredAt?: number;
    },
  ): Promise<boolean> {
    const changed = await db('webhook_deliveries')
      .where({ id, lease_token: token, state: 'pending' })
      .update({
        state: outcome.state,
        attempts: outcome.attempts,
        next_attempt_at: outcome.nextAttemptAt,
        last_status: outcome.lastStatus ?? null,
        last_error: outcome.lastError ? clip(outcome.lastError, 500) : null,
        delivered_at: outcome.deliveredAt ?? null,
        lease_token: null,
        lease_until: null,
      });
    return changed === 1;
  }

  async countPending(db: DbOrTx): Promise<number> {
    const row = await db('webhook_deliveries').where({ state: 'pending' }).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }
}
