import type { Router } from 'express';
import type { EventsConfig } from '../../config/config.js';
import type { Db } from '../../infra/db/database.js';
import type { SecretBox } from '../../infra/db/secret-box.js';
import type { Logger } from '../../infra/log/logger.js';
import { CatchAllMailTransport } from '../../infra/mail/catch-all-mail-transport.js';
import type { MailTransport } from '../../infra/mail/mail-transport.js';
import { SmtpMailTransport } from '../../infra/mail/smtp-mail-transport.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import type { AuditStore } from '../audit/audit-store.js';
import { MailPlanner } from '../mail/mail-planner.js';
import { mailRoutes } from '../mail/mail-routes.js';
import { defaultMailRetryDelaysMs, MailSender } from '../mail/mail-sender.js';
import { MailService } from '../mail/mail-service.js';
import { MailStore } from '../mail/mail-store.js';
import { builtInTemplatesDir, MailTemplates } from '../mail/mail-templates.js';
import { WebhookDeliveryStore } from '../webhooks/webhook-delivery-store.js';
import { defaultRetryDelaysMs, WebhookDeliveryWorker } from '../webhooks/webhook-delivery-worker.js';
import { WebhookEndpointStore } from '../webhooks/webhook-endpoint-store.js';
import { webhookRoutes } from '../webhooks/webhook-routes.js';
import { WebhookService } from '../webhooks/webhook-service.js';
import { DeliveryLoop } from './delivery-loop.js';
import { EventDispatcher } from './event-dispatcher.js';
import { registerEventMetrics } from './event-metrics.js';
import { eventRoutes } from './event-routes.js';
import { OutboxStore } from './outbox-store.js';

export interface EventsFeatureDeps {
  db: Db;
  config: EventsConfig;
  /** The embedded default: mail goes to the built-in catch-all when no SMTP is configured. */
  demo: boolean;
  secrets: SecretBox;
  audit: AuditStore;
  logger: Logger;
  metrics: Registry;
  consoleUrl: () => string;
  /** Tests shorten the retry schedules. */
  webhookRetryDelaysMs?: number[];
  mailRetryDelaysMs?: number[];
  /** Tests use a shorter timeout. */
  webhookTimeoutMs?: number;
  /** Tests give their own transport. */
  transport?: MailTransport;
}

/** The display name of a `From` address (`Acme Hosting <noc@acme.test>` → `Acme Hosting`). */
function displayName(from: string): string {
  return /^\s*"?([^"<]+?)"?\s*</.exec(from)?.[1]?.trim() || 'Keyway';
}

/**
 * Events out: the outbox's reader (`GET /events`), webhooks and mail, wired once. Every
 * process serves the routes; workers `start()` the delivery loop.
 */
export function createEventsFeature(deps: EventsFeatureDeps) {
  const { db, config } = deps;
  const outbox = new OutboxStore();
  const endpoints = new WebhookEndpointStore(deps.secrets);
  const deliveries = new WebhookDeliveryStore();
  const mailStore = new MailStore();
  const metrics = registerEventMetrics(deps.metrics, db);
  const catchAll = new CatchAllMailTransport(db);
  const transport: MailTransport | undefined =
    deps.transport ?? (config.smtpUrl ? new SmtpMailTransport(config.smtpUrl) : deps.demo ? catchAll : undefined);
  const templates = new MailTemplates(
    config.mailTemplatesDir ? [config.mailTemplatesDir, builtInTemplatesDir] : [builtInTemplatesDir],
  );
  const providerName = displayName(config.mailFrom);
  const planner = new MailPlanner(mailStore, {
    staffTo: config.staffMailTo,
    batchMinutes: config.mailBatchMinutes,
    consoleUrl: deps.consoleUrl,
  });
  const logger = deps.logger.child({ component: 'events' });
  const webhookTimeoutMs = deps.webhookTimeoutMs ?? 10_000;
  const webhookWorker = new WebhookDeliveryWorker({
    db,
    endpoints,
    deliveries,
    outbox,
    http: {
      timeoutMs: webhookTimeoutMs,
      maxResponseBytes: 64 * 1024,
      excerptBytes: 1024,
      allowPrivate: config.webhookAllowPrivate,
    },
    retryDelaysMs: deps.webhookRetryDelaysMs ?? defaultRetryDelaysMs,
    leaseMs: webhookTimeoutMs * 3,
    logger,
    metrics,
    async onEndpointFailing(tx, endpoint, lastError) {
      await deps.audit.record(tx, {
        actor: { type: 'system', name: 'keyway' },
        action: 'webhook_endpoint.failing',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
        toState: 'failing',
        data: { url: endpoint.url, lastError },
      });
      const to = await planner.staff(tx);
      if (to.length)
        await mailStore.insert(
          tx,
          {
            eventType: 'webhook_endpoint.failing',
            template: 'webhook_endpoint.failing',
            to,
            variables: {
              endpointId: endpoint.id,
              url: endpoint.url,
              lastError,
              attempts: (deps.webhookRetryDelaysMs ?? defaultRetryDelaysMs).length + 1,
              link: `${deps.consoleUrl()}/webhooks/${endpoint.id}`,
            },
            sendAt: Date.now(),
          },
          Date.now(),
        );
    },
  });
  const mailSender = new MailSender({
    db,
    mails: mailStore,
    templates,
    transport,
    from: config.mailFrom,
    providerName,
    retryDelaysMs: deps.mailRetryDelaysMs ?? defaultMailRetryDelaysMs,
    leaseMs: 120_000,
    attachLicenseFiles: config.attachLicenseFiles,
    logger,
    metrics,
  });
  const dispatcher = new EventDispatcher({ db, outbox, endpoints, deliveries, mail: planner });
  const loop = new DeliveryLoop(
    [
      { name: 'fan-out', run: () => dispatcher.runDue() },
      { name: 'webhooks', run: () => webhookWorker.runDue() },
      { name: 'mail', run: () => mailSender.runDue() },
    ],
    logger,
  );
  let started = false;
  const webhooks = new WebhookService({
    db,
    endpoints,
    deliveries,
    outbox,
    audit: deps.audit,
    kick: () => {
      if (started) loop.kick();
    },
  });
  const mail = new MailService({ db, transport, templates, from: config.mailFrom, providerName, audit: deps.audit });
  const routes: Router[] = [
    eventRoutes({ db, outbox }),
    webhookRoutes({ db, service: webhooks, deliveries }),
    mailRoutes({ db, service: mail }),
  ];
  return {
    routes,
    outbox,
    webhooks,
    deliveries,
    mail,
    /** The built-in mailbox the console shows under Mail (used as the transport only on the demo without SMTP). */
    catchAll,
    usesCatchAll: transport === catchAll,
    dispatcher,
    webhookWorker,
    mailSender,
    loop,
    start() {
      started = true;
      loop.start(config.deliverEveryMs);
    },
    async close() {
      await loop.stop();
      await transport?.close();
    },
  };
}

export type EventsFeature = ReturnType<typeof createEventsFeature>;
