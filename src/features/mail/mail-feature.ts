import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { EventsConfig } from '../../config/config.js';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import type { Logger } from '../../infra/log/logger.js';
import { CatchAllMailTransport } from '../../infra/mail/catch-all-mail-transport.js';
import type { MailTransport } from '../../infra/mail/mail-transport.js';
import { SmtpMailTransport } from '../../infra/mail/smtp-mail-transport.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { EventMetrics } from '../events/event-metrics.js';
import type { EventReceiver } from '../events/outbox-port.js';
import { MailPlanner } from './mail-planner.js';
import { mailRecipientRoutes } from './mail-recipient-routes.js';
import { mailRoutes } from './mail-routes.js';
import { defaultMailRetryDelaysMs, MailSender } from './mail-sender.js';
import { MailService } from './mail-service.js';
import { MailStore } from './mail-store.js';
import { builtInTemplatesDir, MailTemplates } from './mail-templates.js';

export interface MailFeatureDeps {
  db: Db;
  config: EventsConfig;
  /** The embedded default: mail goes to the built-in catch-all when no SMTP is configured. */
  demo: boolean;
  audit: AuditStore;
  metrics: EventMetrics;
  logger: Logger;
  consoleUrl: () => string;
  /** Tests give their own transport or shorter retries. */
  transport?: MailTransport;
  retryDelaysMs?: number[];
}

/** The display name of a `From` address (`Acme Hosting <noc@acme.test>` → `Acme Hosting`). */
function displayName(from: string): string {
  return /^\s*"?([^"<]+?)"?\s*</.exec(from)?.[1]?.trim() || 'Keyway';
}

/** Mail: what events cause (planned in the fan-out), the sender, the test mail and the log. */
export function createMailFeature(deps: MailFeatureDeps) {
  const { db, config } = deps;
  const mails = new MailStore();
  const catchAll = new CatchAllMailTransport(db);
  const transport: MailTransport | undefined =
    deps.transport ?? (config.smtpUrl ? new SmtpMailTransport(config.smtpUrl) : deps.demo ? catchAll : undefined);
  const templates = new MailTemplates(
    config.mailTemplatesDir ? [config.mailTemplatesDir, builtInTemplatesDir] : [builtInTemplatesDir],
  );
  const providerName = displayName(config.mailFrom);
  const planner = new MailPlanner(mails, {
    staffTo: config.staffMailTo,
    batchMinutes: config.mailBatchMinutes,
    consoleUrl: deps.consoleUrl,
  });
  const sender = new MailSender({
    db,
    mails,
    templates,
    transport,
    from: config.mailFrom,
    providerName,
    retryDelaysMs: deps.retryDelaysMs ?? defaultMailRetryDelaysMs,
    leaseMs: 120_000,
    attachLicenseFiles: config.attachLicenseFiles,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  const service = new MailService({ db, transport, templates, from: config.mailFrom, providerName, audit: deps.audit });
  const fanOut: EventReceiver = (tx, event, now) => planner.plan(tx, event, now);
  const routes: DeclaredRouter[] = [mailRoutes({ db, service }), mailRecipientRoutes({ db, audit: deps.audit })];
  return {
    service,
    sender,
    fanOut,
    routes,
    /** The built-in mailbox the console shows under Mail (the transport only on the demo without SMTP). */
    catchAll,
    usesCatchAll: transport === catchAll,
    /** A mail to staff, written in `tx` (sent by the sender). */
    async tellStaff(tx: DbOrTx, template: string, variables: Record<string, unknown>): Promise<void> {
      const to = await planner.staff(tx);
      if (to.length)
        await mails.insert(tx, { eventType: template, template, to, variables, sendAt: Date.now() }, Date.now());
    },
    close: () => transport?.close() ?? Promise.resolve(),
  };
}

export type MailFeature = ReturnType<typeof createMailFeature>;
