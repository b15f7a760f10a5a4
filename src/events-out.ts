import type { EventsConfig } from './config/config.js';
import type { AuditStore } from './features/audit/audit-store.js';
import { DeliveryLoop } from './features/events/delivery-loop.js';
import { createEventsFeature } from './features/events/events-feature.js';
import { createMailFeature } from './features/mail/mail-feature.js';
import { createWebhooksFeature } from './features/webhooks/webhooks-feature.js';
import type { Db } from './infra/db/database.js';
import type { SecretBox } from './infra/db/secret-box.js';
import type { Logger } from './infra/log/logger.js';
import type { MailTransport } from './infra/mail/mail-transport.js';
import type { Registry } from './infra/metrics/metrics-registry.js';

export interface EventsOutDeps {
  db: Db;
  config: EventsConfig;
  demo: boolean;
  secrets: SecretBox;
  audit: AuditStore;
  logger: Logger;
  metrics: Registry;
  consoleUrl: () => string;
  /** Tests: their own mail transport, shorter retries and timeouts. */
  transport?: MailTransport;
  webhookRetryDelaysMs?: number[];
  mailRetryDelaysMs?: number[];
  webhookTimeoutMs?: number;
}

/**
 * Events out, wired: the outbox (events), webhooks and mail, the fan-out from the first to the
 * other two, and the loop workers run (fan-out, then webhooks, then mail). Part of the
 * composition root; tests build it alone on a test database.
 */
export function composeEventsOut(deps: EventsOutDeps) {
  const { db } = deps;
  const logger = deps.logger.child({ component: 'events' });
  const events = createEventsFeature({ db, metrics: deps.metrics });
  let started = false;
  const mail = createMailFeature({
    db,
    config: deps.config,
    demo: deps.demo,
    audit: deps.audit,
    metrics: events.metrics,
    logger,
    consoleUrl: deps.consoleUrl,
    transport: deps.transport,
    retryDelaysMs: deps.mailRetryDelaysMs,
  });
  const webhooks = createWebhooksFeature({
    db,
    secrets: deps.secrets,
    audit: deps.audit,
    outbox: events.outbox,
    metrics: events.metrics,
    logger,
    allowPrivate: deps.config.webhookAllowPrivate,
    tellStaff: (tx, _endpoint, facts) => mail.tellStaff(tx, 'webhook_endpoint.failing', facts),
    kick: () => {
      if (started) loop.kick();
    },
    consoleUrl: deps.consoleUrl,
    retryDelaysMs: deps.webhookRetryDelaysMs,
    timeoutMs: deps.webhookTimeoutMs,
  });
  const dispatcher = events.dispatcher([webhooks.fanOut, mail.fanOut]);
  const loop = new DeliveryLoop(
    [
      { name: 'fan-out', run: () => dispatcher.runDue() },
      { name: 'webhooks', run: () => webhooks.worker.runDue() },
      { name: 'mail', run: () => mail.sender.runDue() },
    ],
    logger,
  );
  return {
    events,
    webhooks,
    mail,
    dispatcher,
    loop,
    routes: [...events.routes, webhooks.routes, ...mail.routes],
    /** Worker role: deliver on a timer. */
    start() {
      started = true;
      loop.start(deps.config.deliverEveryMs);
    },
    async close() {
      await loop.stop();
      await mail.close();
    },
  };
}

export type EventsOut = ReturnType<typeof composeEventsOut>;
