import { randomUUID } from 'node:crypto';
import { clip } from '../db/bounded-text.js';
import type { Db } from '../db/database.js';
import type { MailSendResult, MailTransport, OutgoingMail } from './mail-transport.js';

/** Bytes of one body the catch-all keeps (MariaDB MEDIUMTEXT holds 16 MB). */
const maxBodyChars = 1_000_000;

/** One mail in the built-in mailbox. */
export interface CaughtMail {
  id: number;
  messageId: string;
  sender: string;
  recipients: string[];
  subject: string;
  text: string;
  html: string | null;
  receivedAt: string;
}

/**
 * The built-in mailbox of the embedded default (`npm start` without SMTP): every mail is
 * accepted and kept in the database, where the console shows it under Mail (like Mailpit),
 * so a new user sees what Keyway would send. Attachments are listed by name, not kept.
 */
export class CatchAllMailTransport implements MailTransport {
  readonly identity = 'catch-all';

  constructor(private readonly db: Db) {}

  async send(mail: OutgoingMail): Promise<MailSendResult> {
    const messageId = `<${randomUUID()}@keyway.catch-all>`;
    const attachments = mail.attachments?.length
      ? `\n\n[attachments: ${mail.attachments.map((a) => a.filename).join(', ')}]`
      : '';
    const [id] = await this.db('mail_catchall').insert({
      message_id: messageId,
      sender: clip(mail.from, 320),
      recipients: JSON.stringify(mail.to),
      subject: clip(mail.subject, 300),
      text_body: clip(mail.text + attachments, maxBodyChars),
      html_body: mail.html === undefined ? null : clip(mail.html, maxBodyChars),
      received_at: Date.now(),
    });
    return { outcome: 'accepted', answer: `250 kept in the built-in mailbox as ${id}`, messageId };
  }

  async close(): Promise<void> {}

  /** Newest first. */
  async list(db: Db, limit: number, beforeId?: number): Promise<CaughtMail[]> {
    const q = db('mail_catchall').orderBy('id', 'desc').limit(limit);
    if (beforeId) q.where('id', '<', beforeId);
    return (await q).map(caught);
  }

  async get(db: Db, id: number): Promise<CaughtMail | undefined> {
    const row = await db('mail_catchall').where({ id }).first();
    return row ? caught(row) : undefined;
  }
}

function caught(row: Record<string, unknown>): CaughtMail {
  return {
    id: Number(row.id),
    messageId: String(row.message_id),
    sender: String(row.sender),
    recipients: JSON.parse(String(row.recipients)) as string[],
    subject: String(row.subject),
    text: String(row.text_body),
    html: row.html_body === null ? null : String(row.html_body),
    receivedAt: new Date(Number(row.received_at)).toISOString(),
  };
}
