import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { MailTransport } from '../../infra/mail/mail-transport.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditStore } from '../audit/audit-store.js';
import { MailStore } from './mail-store.js';
import type { MailTemplates } from './mail-templates.js';
import { noTransportReason } from './mail-sender.js';

/** What the settings page and `GET /mail/settings` show. */
export interface MailSettings {
  /** `smtp://user@host:port`, `catch-all`, or null when nothing is configured. */
  transport: string | null;
  from: string;
  /** True once a test mail was accepted through this transport. */
  verified: boolean;
  lastTest: { to: string; state: string; serverAnswer: string | null; at: string } | null;
}

/** The test mail that verifies a mailbox, and the settings page's facts. */
export class MailService {
  readonly mails = new MailStore();

  constructor(
    private readonly deps: {
      db: Db;
      transport: MailTransport | undefined;
      templates: MailTemplates;
      from: string;
      providerName: string;
      audit: AuditStore;
    },
  ) {}

  async settings(): Promise<MailSettings> {
    const identity = this.deps.transport?.identity ?? null;
    const last = identity
      ? await this.deps.db('mail_verifications').where({ transport: identity }).orderBy('id', 'desc').first()
      : undefined;
    const accepted = identity
      ? await this.deps.db('mail_verifications').where({ transport: identity, state: 'sent' }).first('id')
      : undefined;
    return {
      transport: identity,
      from: this.deps.from,
      verified: Boolean(accepted),
      lastTest: last
        ? {
            to: last.to_address,
            state: last.state,
            serverAnswer: last.server_answer ?? null,
            at: new Date(Number(last.at)).toISOString(),
          }
        : null,
    };
  }

  /** Sends a test mail now (not through the queue of mails), logs it, and verifies the mailbox when it was accepted. */
  async sendTest(to: string, actor: Actor): Promise<{ state: string; serverAnswer: string | null; verified: boolean }> {
    const now = Date.now();
    const transport = this.deps.transport;
    const rendered = await this.deps.templates.render('mail.test', {
      providerName: this.deps.providerName,
      transport: transport?.identity ?? 'none',
      sentAt: new Date(now).toISOString(),
    });
    const result = transport
      ? await transport.send({ from: this.deps.from, to: [to], ...rendered })
      : { outcome: 'not_sent' as const, answer: noTransportReason };
    const state = result.outcome === 'accepted' ? 'sent' : result.outcome === 'not_sent' ? 'not_sent' : 'failed';
    await transaction(this.deps.db, async (tx) => {
      const id = await this.mails.insert(
        tx,
        { eventType: 'mail.test', template: 'mail.test', to: [to], variables: {}, sendAt: now },
        now,
      );
      await tx('mail_messages')
        .where({ id })
        .update({
          state,
          attempts: 1,
          subject: rendered.subject,
          server_answer: state === 'not_sent' ? null : result.answer.slice(0, 500),
          reason: state === 'not_sent' ? noTransportReason : null,
          sent_at: state === 'sent' ? now : null,
        });
      if (transport)
        await tx('mail_verifications').insert({
          transport: transport.identity,
          to_address: to,
          state,
          server_answer: result.answer.slice(0, 500),
          at: now,
        });
      await this.deps.audit.record(tx, {
        actor,
        action: 'mail.test_sent',
        entityType: 'mail',
        entityId: id,
        data: { to, state, transport: transport?.identity ?? null },
      });
    });
    const verified = (await this.settings()).verified;
    return { state, serverAnswer: state === 'not_sent' ? noTransportReason : result.answer, verified };
  }
}
