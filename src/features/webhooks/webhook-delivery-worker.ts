import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Logger } from '../../infra/log/logger.js';
import type { EventMetrics } from '../events/event-metrics.js';
import type { StoredEvent } from '../events/event-catalogue.js';
import type { OutboxPort } from '../events/outbox-port.js';
import type { WebhookDeliveryStore } from './webhook-delivery-store.js';
import type { WebhookEndpoint, WebhookEndpointStore } from './webhook-endpoint-store.js';
import { postWebhook, type WebhookHttpOptions } from './webhook-http.js';

/**
 * Retries of a delivery that did not get a 2xx: exponential, then every 12 hours, about three
 * days in all (75 hours) before the delivery fails and its endpoint is marked failing.
 */
export const defaultRetryDelaysMs = [
  5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 43_200_000, 43_200_000,
  43_200_000, 43_200_000, 43_200_000,
];

export interface WebhookWorkerDeps {
  db: Db;
  endpoints: WebhookEndpointStore;
  deliveries: WebhookDeliveryStore;
  outbox: OutboxPort;
  http: WebhookHttpOptions;
  retryDelaysMs: number[];
  /** How long a claim holds a delivery: longer than the HTTP timeout. */
  leaseMs: number;
  logger: Logger;
  metrics: EventMetrics;
  /** Tells admins (in the transaction that marks it) that an endpoint is failing. */
  onEndpointFailing(tx: DbOrTx, endpoint: WebhookEndpoint, lastError: string): Promise<void>;
  now?: () => number;
}

/** The body of a delivery: the event as `GET /events` shows it. */
export function webhookBody(event: StoredEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, time: event.time, entity: event.entity, data: event.data });
}

/** The three Standard Webhooks headers, signed with the endpoint's secret. */
export function signedHeaders(secret: string, messageId: string, body: string, at: Date): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(messageId, at, body),
  };
}

/**
 * Sends due webhook deliveries. Any number of workers may run it at once: each delivery is
 * claimed in the database before it is sent, so a delivery is sent by one worker at a time,
 * and a worker that dies holding one leaves it to another when the lease lapses (the
 * receiver may then see it twice: at least once, deduplicated by `webhook-id`).
 */
export class WebhookDeliveryWorker {
  private readonly now: () => number;

  constructor(private readonly deps: WebhookWorkerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Sends what is due: endpoints side by side, each endpoint's deliveries one after another. */
  async runDue(limit = 100): Promise<number> {
    const due = await this.deps.deliveries.due(this.deps.db, this.now(), limit);
    const byEndpoint = new Map<number, number[]>();
    for (const d of due) byEndpoint.set(d.endpointId, [...(byEndpoint.get(d.endpointId) ?? []), d.id]);
    let sent = 0;
    await Promise.all(
      [...byEndpoint.values()].map(async (ids) => {
        for (const id of ids) if (await this.attempt(id)) sent += 1;
      }),
    );
    return sent;
  }

  /** One attempt of one delivery; false when another worker holds it. */
  async attempt(deliveryId: number): Promise<boolean> {
    const { db, deliveries, endpoints } = this.deps;
    const token = randomUUID();
    const now = this.now();
    if (!(await deliveries.claim(db, deliveryId, token, now, now + this.deps.leaseMs))) return false;
    const delivery = await deliveries.get(db, deliveryId);
    const endpoint = delivery && (await endpoints.get(db, delivery.endpointId));
    const event = delivery && (await this.deps.outbox.get(db, delivery.outboxEventId));
    if (!delivery || !endpoint || !event) return false;
    const body = webhookBody(event);
    const headers = signedHeaders(await endpoints.secretOf(db, endpoint.id), event.id, body, new Date(this.now()));
    const answer = await postWebhook(endpoint.url, body, headers, this.deps.http);
    const ok = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
    const attempts = delivery.attempts + 1;
    const error = ok
      ? undefined
      : (answer.error ??
        (answer.status !== undefined && answer.status >= 300 && answer.status < 400
          ? `HTTP ${answer.status}: redirects are not followed`
          : `HTTP ${answer.status}`));
    const delay = this.deps.retryDelaysMs[attempts - 1];
    const failed = !ok && delay === undefined;
    const at = this.now();
    this.deps.metrics.deliveryLatency.observe({ outcome: ok ? 'delivered' : 'failed' }, answer.latencyMs / 1000);
    if (!ok) this.deps.metrics.deliveryFailures.inc({ endpoint: String(endpoint.id) });
    await transaction(db, async (tx) => {
      await deliveries.recordAttempt(tx, {
        deliveryId,
        endpointId: endpoint.id,
        attempt: attempts,
        at,
        statusCode: answer.status,
        latencyMs: answer.latencyMs,
        excerpt: answer.excerpt,
        error,
      });
      const settled = await deliveries.settle(tx, deliveryId, token, {
        state: ok ? 'delivered' : failed ? 'failed' : 'pending',
        attempts,
        // A little spread, so deliveries that failed together do not all come back at once.
        nextAttemptAt: ok || failed ? at : at + Math.round((delay as number) * (1 + Math.random() * 0.1)),
        lastStatus: answer.status,
        lastError: error,
        deliveredAt: ok ? at : undefined,
      });
      if (!settled) return;
      if (ok) await endpoints.markActive(tx, endpoint.id, at);
      else if (failed && (await endpoints.markFailing(tx, endpoint.id, at)))
        await this.deps.onEndpointFailing(tx, endpoint, error as string);
    });
    this.deps.logger[ok ? 'debug' : 'warn'](
      { deliveryId, endpointId: endpoint.id, eventId: event.id, attempt: attempts, status: answer.status, error },
      ok ? 'webhook delivered' : failed ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry',
    );
    return true;
  }
}
