import type { DbOrTx } from '../../infra/db/database.js';
import type { StoredEvent } from '../events/event-catalogue.js';
import type { MailStore } from './mail-store.js';

export interface MailPlanOptions {
  /** Staff recipients (`KEYWAY_STAFF_MAIL_TO`); none: the enabled staff users of the console. */
  staffTo: string[];
  /** At most one "needs a person" mail per KA configuration per this many minutes. */
  batchMinutes: number;
  /** How links in mails reach the console. */
  consoleUrl: () => string;
}

type Snapshot = {
  customer?: { id: number; name: string; email: string } | null;
  configuration?: { id: number; name: string; plugin: string } | null;
  subscription?: { id: number } | null;
  [key: string]: unknown;
};

/** The day of an ISO time (`2027-04-01`), or nothing. */
function dayOf(iso: unknown): string {
  return typeof iso === 'string' ? iso.slice(0, 10) : '';
}

/** Who is told what about an event by mail: mails written in the fan-out's transaction. */
export class MailPlanner {
  constructor(
    private readonly mails: MailStore,
    private readonly options: MailPlanOptions,
  ) {}

  async staff(db: DbOrTx): Promise<string[]> {
    if (this.options.staffTo.length) return this.options.staffTo;
    const rows = await db('staff_users').where({ disabled: false }).orderBy('id').select('email');
    return rows.map((r) => String(r.email));
  }

  async customerRecipients(db: DbOrTx, customer: { id: number; email: string }): Promise<string[]> {
    const extra = await db('customer_mail_recipients')
      .where({ customer_id: customer.id })
      .orderBy('id')
      .select('email');
    return [...new Set([customer.email, ...extra.map((r) => String(r.email))])];
  }

  async plan(db: DbOrTx, event: StoredEvent, now: number): Promise<void> {
    const data = event.data as Snapshot;
    const base = { outboxEventId: event.rowId, eventType: event.type, template: event.type, sendAt: now };
    const console = this.options.consoleUrl();
    switch (event.type) {
      case 'license.installed':
        await this.licenseMail(db, base, data, now, {
          activationCode: data.activationCode ?? '(none)',
          expiresAt: data.expiresAt ?? '(no expiry)',
        });
        return;
      case 'license.expiring':
      case 'license.expired':
      case 'license.grace_ended':
        await this.licenseMail(db, base, data, now, {
          termEndsAt: dayOf(data.termEndsAt),
          graceEndsAt: dayOf(data.graceEndsAt),
          inGrace: data.phase === 'grace',
        });
        return;
      case 'license.migration_announced':
      case 'license.migrated':
        await this.licenseMail(db, base, data, now, {
          targetProduct: data.targetProduct ?? data.product,
          expiresAt: dayOf(data.expiresAt) || '(no expiry)',
        });
        return;
      case 'ka_configuration.failing': {
        const to = await this.staff(db);
        if (!to.length || !data.configuration) return;
        await this.mails.insert(
          db,
          {
            ...base,
            to,
            variables: {
              configurationName: data.configuration.name,
              plugin: data.configuration.plugin,
              cause: data.cause === 'test' ? 'connection test' : 'products fetch',
              message: data.message ?? '',
              link: `${console}/ka-configurations/${data.configuration.id}`,
            },
          },
          now,
        );
        return;
      }
      case 'license_request.needs_manual':
        await this.addToStaffBatch(db, event, data, now);
        return;
      case 'usage.missing_reports':
      case 'usage.saas_expired':
      case 'usage.overuse_started':
      case 'usage.overuse_grace_ending':
      case 'usage.overuse_grace_ended': {
        // The customer's report recipients and staff: both must act (fix the reports, buy more).
        const customer = data.customer ? await this.customerRecipients(db, data.customer) : [];
        const to = [...new Set([...customer, ...(await this.staff(db))])];
        if (!to.length) return;
        const day = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 16).replace('T', ' ') : '');
        const buyMore = (data.buyMore ?? {}) as { units?: number; packs?: number };
        await this.mails.insert(
          db,
          {
            ...base,
            to,
            variables: {
              licenseId: data.licenseId,
              customerName: data.customer?.name ?? '',
              product: data.product,
              keyNumber: data.keyNumber,
              day: data.day ?? '',
              lastReportAt: day(data.lastReportAt),
              expiresAt: day(data.expiresAt),
              expiredAt: day(data.expiredAt),
              peak: data.peak ?? '',
              quota: data.quota ?? '',
              overusedSince: day(data.overusedSince),
              graceEndsAt: day(data.graceEndsAt),
              buyMoreUnits: buyMore.units ?? '',
              buyMorePacks: buyMore.packs ?? '',
              link: `${console}/licenses/${data.licenseId}`,
            },
          },
          now,
        );
        return;
      }
      default:
        return;
    }
  }

  /** A mail to a license's customer (and its extra recipients): the license's facts and the event's own. */
  private async licenseMail(
    db: DbOrTx,
    base: { outboxEventId: number; eventType: string; template: string; sendAt: number },
    data: Snapshot,
    now: number,
    variables: Record<string, unknown>,
  ): Promise<void> {
    if (!data.customer) return;
    await this.mails.insert(
      db,
      {
        ...base,
        to: await this.customerRecipients(db, data.customer),
        variables: {
          licenseId: data.licenseId,
          customerName: data.customer.name,
          product: data.product,
          keyNumber: data.keyNumber,
          subscriptionId: data.subscription?.id ?? '',
          ...variables,
        },
      },
      now,
    );
  }

  /**
   * Requests that need a person are told in batches: one open mail per configuration takes
   * every request until its window opens (at most one mail per configuration per
   * `batchMinutes`), then it is sent listing them all.
   */
  private async addToStaffBatch(db: DbOrTx, event: StoredEvent, data: Snapshot, now: number): Promise<void> {
    const to = await this.staff(db);
    if (!to.length || !data.configuration) return;
    const group = `needs_manual:${data.configuration.id}`;
    const item = {
      requestId: data.requestId,
      product: data.product,
      customerName: data.customer?.name ?? 'no customer',
      reason: data.reason ?? '',
      link: `${this.options.consoleUrl()}/license-requests/${data.requestId}`,
    };
    const open = await this.mails.openBatch(db, group);
    if (open) {
      const requests = [...((open.variables.requests as unknown[]) ?? []), item];
      await this.mails.setVariables(db, open.id, { ...open.variables, requests, count: requests.length });
      return;
    }
    const last = await this.mails.lastSentOf(db, group);
    const windowMs = this.options.batchMinutes * 60_000;
    await this.mails.insert(
      db,
      {
        outboxEventId: event.rowId,
        eventType: event.type,
        template: event.type,
        to,
        variables: { configurationName: data.configuration.name, requests: [item], count: 1 },
        sendAt: last === undefined ? now : Math.max(now, last + windowMs),
        batchGroup: group,
        openBatchKey: group,
      },
      now,
    );
  }
}
