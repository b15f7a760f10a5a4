import { randomUUID } from 'node:crypto';
import type { Db } from '../../infra/db/database.js';
import type { Logger } from '../../infra/log/logger.js';
import type { MailTransport } from '../../infra/mail/mail-transport.js';
import type { EventMetrics } from '../events/event-metrics.js';
import type { MailStore } from './mail-store.js';
import type { MailTemplates } from './mail-templates.js';

/** Waits before the retries of a mail the server did not take (4xx, no connection): about a day in all. */
export const defaultMailRetryDelaysMs = [60_000, 300_000, 900_000, 3_600_000, 14_400_000, 43_200_000, 43_200_000];

export interface MailSenderDeps {
  db: Db;
  mails: MailStore;
  templates: MailTemplates;
  /** Undefined: no SMTP configured; mails are recorded as not sent, with why. */
  transport: MailTransport | undefined;
  from: string;
  providerName: string;
  retryDelaysMs: number[];
  leaseMs: number;
  /** Attaches the license's files to `license.installed` (`KEYWAY_MAIL_ATTACH_LICENSE_FILES`). */
  attachLicenseFiles: boolean;
  logger: Logger;
  metrics: EventMetrics;
  now?: () => number;
}

export const noTransportReason = 'not sent: no SMTP server is configured (set KEYWAY_SMTP_URL and KEYWAY_MAIL_FROM)';

/**
 * Sends due mails, claimed in the database like webhook deliveries: any number of workers,
 * each mail sent by one at a time. A mail is rendered from its template when it is sent.
 */
export class MailSender {
  private readonly now: () => number;

  constructor(private readonly deps: MailSenderDeps) {
    this.now = deps.now ?? Date.now;
  }

  async runDue(limit = 50): Promise<number> {
    let sent = 0;
    for (const id of await this.deps.mails.due(this.deps.db, this.now(), limit)) if (await this.attempt(id)) sent += 1;
    return sent;
  }

  private async attachments(variables: Record<string, unknown>, template: string) {
    if (!this.deps.attachLicenseFiles || template !== 'license.installed') return undefined;
    // The installed files are the latest set; older revisions are kept but not sent.
    const files = this.deps.db('license_files').where({ license_id: variables.licenseId });
    const top = await files.clone().max({ g: 'generation' }).first();
    const rows = await files
      .clone()
      .where({ generation: Number(top?.g ?? 1) })
      .orderBy('id');
    return rows.map((r) => ({
      filename: String(r.file_name),
      content: Buffer.from(r.content),
      contentType: String(r.content_type),
    }));
  }

  async attempt(id: number): Promise<boolean> {
    const { db, mails } = this.deps;
    const token = randomUUID();
    const now = this.now();
    if (!(await mails.claim(db, id, token, now, now + this.deps.leaseMs))) return false;
    const mail = await mails.get(db, id);
    if (!mail) return false;
    const variables = { providerName: this.deps.providerName, ...mail.variables };
    let rendered: Awaited<ReturnType<MailTemplates['render']>>;
    try {
      rendered = await this.deps.templates.render(mail.template, variables);
    } catch (err) {
      await mails.settle(db, id, token, {
        state: 'failed',
        attempts: mail.attempts,
        nextAttemptAt: now,
        subject: mail.template,
        reason: `template: ${(err as Error).message}`,
      });
      return true;
    }
    const attempts = mail.attempts + 1;
    if (!this.deps.transport) {
      this.deps.metrics.mailsSent.inc({ outcome: 'not_sent' });
      await mails.settle(db, id, token, {
        state: 'not_sent',
        attempts: mail.attempts,
        nextAttemptAt: now,
        subject: rendered.subject,
        reason: noTransportReason,
      });
      return true;
    }
    const result = await this.deps.transport.send({
      from: this.deps.from,
      to: mail.to,
      ...rendered,
      attachments: await this.attachments(mail.variables, mail.template),
    });
    this.deps.metrics.mailsSent.inc({ outcome: result.outcome });
    const at = this.now();
    const delay = this.deps.retryDelaysMs[attempts - 1];
    const state =
      result.outcome === 'accepted' ? 'sent' : result.outcome === 'retry' && delay !== undefined ? 'pending' : 'failed';
    await mails.settle(db, id, token, {
      state,
      attempts,
      nextAttemptAt: state === 'pending' ? at + (delay as number) : at,
      subject: rendered.subject,
      serverAnswer: result.answer,
      reason:
        state === 'failed' ? (result.outcome === 'rejected' ? 'refused by the server' : 'retries used up') : undefined,
      sentAt: state === 'sent' ? at : undefined,
    });
    if (state !== 'sent')
      this.deps.logger.warn({ mailId: id, attempt: attempts, answer: result.answer, state }, 'a mail was not accepted');
    return true;
  }
}
