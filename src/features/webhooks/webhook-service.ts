import { ValidationError, NotFoundError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditStore } from '../audit/audit-store.js';
import { isEventType } from '../events/event-catalogue.js';
import type { OutboxPort } from '../events/outbox-port.js';
import type { WebhookDeliveryStore } from './webhook-delivery-store.js';
import { newWebhookSecret, type WebhookEndpoint, type WebhookEndpointStore } from './webhook-endpoint-store.js';
import { urlProblem } from './webhook-target-check.js';

/** What an admin sends to create or change an endpoint. */
export interface EndpointInput {
  url?: string;
  description?: string;
  eventTypes?: string[];
  enabled?: boolean;
  /** Write-only: a new secret; omitted (or the mask) keeps the stored one. */
  secret?: string;
}

/** What the API shows in place of a secret. */
export const secretMask = '********';

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`Invalid body: ${field}: ${message}`, { details: { fields: [{ field, message }] } });
}

/** Webhook endpoints: admin actions, each audited; secrets never leave except once, when Keyway made them. */
export class WebhookService {
  constructor(
    private readonly deps: {
      db: Db;
      endpoints: WebhookEndpointStore;
      deliveries: WebhookDeliveryStore;
      outbox: OutboxPort;
      audit: AuditStore;
      /** Runs the deliveries now (after a test or a replay) instead of at the next tick. */
      kick?: () => void;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private check(input: EndpointInput): void {
    if (input.url !== undefined) {
      const problem = urlProblem(input.url);
      if (problem) throw invalid('url', problem);
    }
    for (const type of input.eventTypes ?? [])
      if (type !== '*' && !isEventType(type)) throw invalid('eventTypes', `unknown event type ${type}`);
  }

  async list(): Promise<WebhookEndpoint[]> {
    return this.deps.endpoints.list(this.deps.db);
  }

  async get(id: number): Promise<WebhookEndpoint> {
    const endpoint = await this.deps.endpoints.get(this.deps.db, id);
    if (!endpoint) throw new NotFoundError('webhook endpoint', id);
    return endpoint;
  }

  /** Creates an endpoint; answers the secret only when Keyway generated it. */
  async create(
    input: EndpointInput & { url: string; eventTypes: string[] },
    actor: Actor,
  ): Promise<{ endpoint: WebhookEndpoint; secret?: string }> {
    this.check(input);
    const generated = input.secret === undefined ? newWebhookSecret() : undefined;
    const secret = input.secret ?? (generated as string);
    const id = await transaction(this.deps.db, async (tx) => {
      const id = await this.deps.endpoints.insert(
        tx,
        {
          url: input.url,
          description: input.description ?? '',
          eventTypes: input.eventTypes,
          enabled: input.enabled ?? true,
          secret,
        },
        this.now(),
      );
      await this.deps.audit.record(tx, {
        actor,
        action: 'webhook_endpoint.created',
        entityType: 'webhook_endpoint',
        entityId: id,
        data: { url: input.url, eventTypes: input.eventTypes },
      });
      return id;
    });
    return { endpoint: await this.get(id), secret: generated };
  }

  async update(id: number, input: EndpointInput, actor: Actor): Promise<WebhookEndpoint> {
    await this.get(id);
    this.check(input);
    const secret = input.secret === secretMask ? undefined : input.secret;
    await transaction(this.deps.db, async (tx) => {
      await this.deps.endpoints.update(tx, id, { ...input, secret }, this.now());
      await this.deps.audit.record(tx, {
        actor,
        action: 'webhook_endpoint.updated',
        entityType: 'webhook_endpoint',
        entityId: id,
        data: {
          ...(input.url !== undefined && { url: input.url }),
          ...(input.eventTypes !== undefined && { eventTypes: input.eventTypes }),
          ...(input.enabled !== undefined && { enabled: input.enabled }),
          ...(secret !== undefined && { secretChanged: true }),
        },
      });
    });
    return this.get(id);
  }

  /** "Send test event": a `webhook_endpoint.test` event delivered to this endpoint only. */
  async sendTest(id: number, actor: Actor): Promise<{ deliveryId: number; eventId: string }> {
    const endpoint = await this.get(id);
    const now = this.now();
    const result = await transaction(this.deps.db, async (tx) => {
      const event = await this.deps.outbox.insert(
        tx,
        {
          type: 'webhook_endpoint.test',
          entityType: 'webhook_endpoint',
          entityId: String(id),
          data: { endpointId: id, url: endpoint.url, message: 'A test event sent from Keyway.' },
          at: now,
        },
        { dispatched: true },
      );
      const deliveryId = await this.deps.deliveries.insert(tx, {
        endpointId: id,
        outboxEventId: event.rowId,
        entityKey: `webhook_endpoint:${id}`,
        now,
      });
      await this.deps.audit.record(tx, {
        actor,
        action: 'webhook_endpoint.test_sent',
        entityType: 'webhook_endpoint',
        entityId: id,
        data: { eventId: event.id, deliveryId },
      });
      return { deliveryId, eventId: event.id };
    });
    this.deps.kick?.();
    return result;
  }

  /** Delivers one delivery's event again, as a new delivery (the log keeps the old one). */
  async replay(endpointId: number, deliveryId: number, actor: Actor): Promise<{ deliveryId: number }> {
    const delivery = await this.deps.deliveries.get(this.deps.db, deliveryId);
    if (!delivery || delivery.endpointId !== endpointId) throw new NotFoundError('webhook delivery', deliveryId);
    const made = await this.replayEvents(endpointId, [delivery.outboxEventId], actor, { deliveryId });
    this.deps.kick?.();
    return { deliveryId: made[0] as number };
  }

  /** Delivers again every event since `sinceMs` the endpoint subscribes to, oldest first. */
  async replaySince(endpointId: number, sinceMs: number, actor: Actor): Promise<{ deliveries: number }> {
    const endpoint = await this.get(endpointId);
    const events = await this.deps.outbox.since(this.deps.db, sinceMs, endpoint.eventTypes);
    const ids = events.map((e) => e.rowId);
    const made = await this.replayEvents(endpointId, ids, actor, { since: new Date(sinceMs).toISOString() });
    this.deps.kick?.();
    return { deliveries: made.length };
  }

  private async replayEvents(
    endpointId: number,
    outboxIds: number[],
    actor: Actor,
    data: Record<string, unknown>,
  ): Promise<number[]> {
    const now = this.now();
    return transaction(this.deps.db, async (tx) => {
      const made: number[] = [];
      for (const outboxEventId of outboxIds) {
        const event = await this.deps.outbox.get(tx, outboxEventId);
        if (!event) continue;
        made.push(
          await this.deps.deliveries.insert(tx, {
            endpointId,
            outboxEventId,
            entityKey: `${event.entity.type}:${event.entity.id}`,
            now,
          }),
        );
      }
      await this.deps.audit.record(tx, {
        actor,
        action: 'webhook_endpoint.replayed',
        entityType: 'webhook_endpoint',
        entityId: endpointId,
        data: { ...data, deliveries: made.length },
      });
      return made;
    });
  }
}
