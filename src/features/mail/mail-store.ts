import { clip } from '../../infra/db/bounded-text.js';
import type { DbOrTx } from '../../infra/db/database.js';

export type MailState = 'pending' | 'sent' | 'failed' | 'not_sent';

/** A mail in the log. Its body is rendered from `template` and `variables` when it is sent. */
export interface MailMessage {
  id: number;
  outboxEventId: number | null;
  eventType: string;
  template: string;
  to: string[];
  subject: string | null;
  variables: Record<string, unknown>;
  state: MailState;
  attempts: number;
  nextAttemptAt: string | null;
  serverAnswer: string | null;
  reason: string | null;
  createdAt: string;
  sentAt: string | null;
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

function fromRow(row: Record<string, unknown>): MailMessage {
  return {
    id: Number(row.id),
    outboxEventId: row.outbox_event_id === null ? null : Number(row.outbox_event_id),
    eventType: String(row.event_type),
    template: String(row.template),
    to: JSON.parse(String(row.recipients)) as string[],
    subject: (row.subject as string | null) ?? null,
    variables: JSON.parse(String(row.variables)) as Record<string, unknown>,
    state: row.state as MailState,
    attempts: Number(row.attempts),
    nextAttemptAt: row.state === 'pending' ? iso(row.next_attempt_at) : null,
    serverAnswer: (row.server_answer as string | null) ?? null,
    reason: (row.reason as string | null) ?? null,
    createdAt: iso(row.created_at) as string,
    sentAt: iso(row.sent_at),
  };
}

export interface NewMail {
  outboxEventId?: number;
  eventType: string;
  template: string;
  to: string[];
  variables: Record<string, unknown>;
  /** Not before (a batch waits for its window). */
  sendAt: number;
  batchGroup?: string;
  openBatchKey?: string;
}

/** The `mail_messages` table: the mail log and the mails still to send. */
export class MailStore {
  async insert(db: DbOrTx, mail: NewMail, now: number): Promise<number> {
    const [id] = await db('mail_messages').insert({
      outbox_event_id: mail.outboxEventId ?? null,
      event_type: mail.eventType,
      template: mail.template,
      recipients: JSON.stringify(mail.to),
      variables: JSON.stringify(mail.variables),
      state: 'pending',
      attempts: 0,
      next_attempt_at: mail.sendAt,
      batch_group: mail.batchGroup ?? null,
      open_batch_key: mail.openBatchKey ?? null,
      created_at: now,
    });
    return Number(id);
  }

  async get(db: DbOrTx, id: number): Promise<MailMessage | undefined> {
    const row = await db('mail_messages').where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  /** The batch still taking items under `key`, locked for this transaction where the database can. */
  async openBatch(db: DbOrTx, key: string): Promise<MailMessage | undefined> {
    const row = await db('mail_messages').where({ open_batch_key: key, state: 'pending' }).forUpdate().first();
    return row ? fromRow(row) : undefined;
  }

  async setVariables(db: DbOrTx, id: number, variables: Record<string, unknown>): Promise<void> {
    await db('mail_messages')
      .where({ id })
      .update({ variables: JSON.stringify(variables) });
  }

  /** When the last mail of a batch group was sent (for its window). */
  async lastSentOf(db: DbOrTx, group: string): Promise<number | undefined> {
    const row = await db('mail_messages').where({ batch_group: group }).max({ at: 'sent_at' }).first();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  async due(db: DbOrTx, now: number, limit: number): Promise<number[]> {
    const rows = await db('mail_messages')
      .where({ state: 'pending' })
      .andWhere('next_attempt_at', '<=', now)
      .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now))
      .orderBy('id')
      .limit(limit)
      .select('id');
    return rows.map((r) => Number(r.id));
  }

  /** Claims a due mail for one worker; it closes its batch, so later items start a new one. */
  async claim(db: DbOrTx, id: number, token: string, now: number, leaseUntil: number): Promise<boolean> {
    const changed = await db('mail_messages')
      .where({ id, state: 'pending' })
      .andWhere('next_attempt_at', '<=', now)
      .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now))
      .update({ lease_token: token, lease_until: leaseUntil, open_batch_key: null });
    return changed === 1;
  }

  async settle(
    db: DbOrTx,
    id: number,
    token: string,
    outcome: {
      state: MailState;
      attempts: number;
      nextAttemptAt: number;
      subject: string;
      serverAnswer?: string;
      reason?: string;
      sentAt?: number;
    },
  ): Promise<boolean> {
    const changed = await db('mail_messages')
      .where({ id, lease_token: token, state: 'pending' })
      .update({
        state: outcome.state,
        attempts: outcome.attempts,
        next_attempt_at: outcome.nextAttemptAt,
        subject: clip(outcome.subject, 300),
        server_answer: outcome.serverAnswer ? clip(outcome.serverAnswer, 500) : null,
        reason: outcome.reason ? clip(outcome.reason, 500) : null,
        sent_at: outcome.sentAt ?? null,
        lease_token: null,
        lease_until: null,
      });
    return changed === 1;
  }

  /** Newest first. */
  async list(db: DbOrTx, filter: { eventType?: string; state?: string; beforeId?: number; limit: number }) {
    const q = db('mail_messages').orderBy('id', 'desc').limit(filter.limit);
    if (filter.eventType) q.where({ event_type: filter.eventType });
    if (filter.state) q.where({ state: filter.state });
    if (filter.beforeId) q.where('id', '<', filter.beforeId);
    return (await q).map(fromRow);
  }
}
