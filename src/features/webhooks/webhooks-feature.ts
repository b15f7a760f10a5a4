import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import type { SecretBox } from '../../infra/db/secret-box.js';
import type { Logger } from '../../infra/log/logger.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { EventMetrics } from '../events/event-metrics.js';
import type { EventReceiver, OutboxPort } from '../events/outbox-port.js';
import { WebhookDeliveryStore } from './webhook-delivery-store.js';
import { defaultRetryDelaysMs, WebhookDeliveryWorker } from './webhook-delivery-worker.js';
import { type WebhookEndpoint, WebhookEndpointStore, wantsType } from './webhook-endpoint-store.js';
import { webhookRoutes } from './webhook-routes.js';
import { WebhookService } from './webhook-service.js';

export interface WebhooksFeatureDeps {
  db: Db;
  secrets: SecretBox;
  audit: AuditStore;
  outbox: OutboxPort;
  metrics: EventMetrics;
  logger: Logger;
  /** `KEYWAY_WEBHOOK_ALLOW_PRIVATE`. */
  allowPrivate: boolean;
  /** Tells staff an endpoint is failing, in the transaction that marks it (mail, from the root). */
  tellStaff(tx: DbOrTx, endpoint: WebhookEndpoint, facts: Record<string, unknown>): Promise<void>;
  /** Runs the delivery loop now (after a test or a replay). */
  kick(): void;
  consoleUrl: () => string;
  retryDelaysMs?: number[];
  timeoutMs?: number;
}

/** Webhook endpoints, their deliveries (made by the fan-out, sent by the worker) and their API. */
export function createWebhooksFeature(deps: WebhooksFeatureDeps) {
  const { db } = deps;
  const endpoints = new WebhookEndpointStore(deps.secrets);
  const deliveries = new WebhookDeliveryStore();
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const retryDelaysMs = deps.retryDelaysMs ?? defaultRetryDelaysMs;
  const worker = new WebhookDeliveryWorker({
    db,
    endpoints,
    deliveries,
    outbox: deps.outbox,
    http: { timeoutMs, maxResponseBytes: 64 * 1024, excerptBytes: 1024, allowPrivate: deps.allowPrivate },
    retryDelaysMs,
    leaseMs: timeoutMs * 3,
    logger: deps.logger,
    metrics: deps.metrics,
    async onEndpointFailing(tx, endpoint, lastError) {
      await deps.audit.record(tx, {
        actor: { type: 'system', name: 'keyway' },
        action: 'webhook_endpoint.failing',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
        toState: 'failing',
        data: { url: endpoint.url, lastError },
      });
      await deps.tellStaff(tx, endpoint, {
        endpointId: endpoint.id,
        url: endpoint.url,
        lastError,
        attempts: retryDelaysMs.length + 1,
        link: `${deps.consoleUrl()}/webhooks/${endpoint.id}`,
      });
    },
  });
  const service = new WebhookService({
    db,
    endpoints,
    deliveries,
    outbox: deps.outbox,
    audit: deps.audit,
    kick: deps.kick,
  });
  // The endpoints are read once per fan-out transaction, however many events it fans out.
  const enabledIn = new WeakMap<DbOrTx, Promise<WebhookEndpoint[]>>();
  /** The fan-out's part: a delivery per enabled endpoint that wants the event's type. */
  const fanOut: EventReceiver = async (tx, event, now) => {
    let enabled = enabledIn.get(tx);
    if (enabled === undefined) {
      enabled = endpoints.enabled(tx);
      enabledIn.set(tx, enabled);
    }
    for (const endpoint of (await enabled).filter((e) => wantsType(e, event.type))) {
      await deliveries.insert(tx, {
        endpointId: endpoint.id,
        outboxEventId: event.rowId,
        entityKey: `${event.entity.type}:${event.entity.id}`,
        now,
      });
    }
  };
  const routes: DeclaredRouter = webhookRoutes({ db, service, deliveries });
  return { service, deliveries, worker, fanOut, routes };
}

export type WebhooksFeature = ReturnType<typeof createWebhooksFeature>;
