import type { DbOrTx } from '../../infra/db/database.js';
import type { UsageWatch } from './usage-rules.js';

/** One license's day, as recorded (pulled or pushed). */
export interface UsageRecordInput {
  licenseId: number;
  configurationId: number;
  day: string;
  peak: number;
  installationId: string | null;
  lastReportAt: number;
  source: 'pull' | 'push';
}

const watchColumns: Record<keyof UsageWatch, string> = {
  licenseId: 'license_id',
  configurationId: 'configuration_id',
  customerId: 'customer_id',
  keyNumber: 'key_number',
  product: 'product',
  saas: 'saas',
  quota: 'usage_quota',
  packSize: 'pack_size',
  firstDay: 'first_day',
  lastReportAt: 'last_report_at',
  lastPeak: 'last_peak',
  overuseSince: 'overuse_since',
  graceEndsAt: 'grace_ends_at',
  graceQuota: 'grace_quota',
  overuseTold: 'overuse_told',
  farmState: 'farm_state',
  missingTold: 'missing_told',
  expiredAt: 'expired_at',
  reviewAt: 'review_at',
  updatedAt: 'updated_at',
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function watchOf(row: Record<string, unknown>): UsageWatch {
  return {
    licenseId: Number(row.license_id),
    configurationId: Number(row.configuration_id),
    customerId: num(row.customer_id),
    keyNumber: String(row.key_number),
    product: String(row.product),
    saas: Boolean(row.saas),
    quota: num(row.usage_quota),
    packSize: num(row.pack_size),
    firstDay: String(row.first_day),
    lastReportAt: Number(row.last_report_at),
    lastPeak: Number(row.last_peak),
    overuseSince: num(row.overuse_since),
    graceEndsAt: num(row.grace_ends_at),
    graceQuota: num(row.grace_quota),
    overuseTold: String(row.overuse_told) as UsageWatch['overuseTold'],
    farmState: (row.farm_state ?? null) as UsageWatch['farmState'],
    missingTold: Number(row.missing_told),
    expiredAt: num(row.expired_at),
    reviewAt: num(row.review_at),
    updatedAt: Number(row.updated_at),
  };
}

function columnsOf(changes: Partial<UsageWatch>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(changes)) out[watchColumns[name as keyof UsageWatch]] = value;
  return out;
}

/** The usage tables (migration 019): records per license and day, the watch rows, receipts, sources. */
export class UsageStore {
  /**
   * Keeps the day at its highest peak and latest report: a new day is inserted (a racing insert
   * of the same day is ignored), a known one only raised by a guarded update. A repeated pull or
   * push, or two at once, leave the same row. Answers whether anything changed.
   */
  async recordDay(db: DbOrTx, input: UsageRecordInput): Promise<boolean> {
    const where = { license_id: input.licenseId, day: input.day };
    const known = await db('usage_records').where(where).first();
    const installation = input.installationId?.slice(0, 120) ?? null;
    if (!known) {
      await db('usage_records')
        .insert({
          ...where,
          configuration_id: input.configurationId,
          peak: input.peak,
          installation_id: installation,
          last_report_at: input.lastReportAt,
          source: input.source,
        })
        .onConflict(['license_id', 'day'])
        .ignore();
      return true;
    }
    const peak = Math.max(Number(known.peak), input.peak);
    const lastReportAt = Math.max(Number(known.last_report_at), input.lastReportAt);
    if (peak === Number(known.peak) && lastReportAt === Number(known.last_report_at)) return false;
    const raised = await db('usage_records')
      .where(where)
      .andWhere('peak', '<=', peak)
      .andWhere('last_report_at', '<=', lastReportAt)
      .update({ peak, last_report_at: lastReportAt, installation_id: installation });
    return raised > 0;
  }

  async getWatch(db: DbOrTx, licenseId: number): Promise<UsageWatch | undefined> {
    const row = await db('usage_watch').where({ license_id: licenseId }).first();
    return row ? watchOf(row) : undefined;
  }

  async insertWatch(db: DbOrTx, watch: UsageWatch): Promise<void> {
    await db('usage_watch').insert(columnsOf(watch)).onConflict('license_id').ignore();
  }

  /** A guarded update: applies only when the row is as `expectedUpdatedAt` left it. */
  async updateWatch(
    db: DbOrTx,
    licenseId: number,
    expectedUpdatedAt: number,
    changes: Partial<UsageWatch>,
  ): Promise<boolean> {
    const n = await db('usage_watch')
      .where({ license_id: licenseId, updated_at: expectedUpdatedAt })
      .update(columnsOf(changes));
    return n === 1;
  }

  /** Licenses whose review is due, oldest due first. */
  async dueForReview(db: DbOrTx, now: number, limit: number): Promise<UsageWatch[]> {
    const rows = await db('usage_watch')
      .whereNotNull('review_at')
      .andWhere('review_at', '<=', now)
      .orderBy('review_at')
      .limit(limit);
    return rows.map(watchOf);
  }

  /** The day's latest report of a license's newest day: its peak is what overuse is judged on. */
  async latestDay(db: DbOrTx, licenseId: number): Promise<{ day: string; peak: number } | undefined> {
    const row = await db('usage_records').where({ license_id: licenseId }).orderBy('day', 'desc').first();
    return row ? { day: String(row.day), peak: Number(row.peak) } : undefined;
  }

  /**
   * Takes a pushed report's id once per configuration; false when it was taken before. The
   * primary key decides a race: the loser's insert fails and it answers false.
   */
  async takeReceipt(db: DbOrTx, configurationId: number, reportId: string, days: number, now: number) {
    const known = await db('usage_receipts').where({ configuration_id: configurationId, report_id: reportId }).first();
    if (known) return false;
    try {
      await db('usage_receipts').insert({
        configuration_id: configurationId,
        report_id: reportId,
        received_at: now,
        days,
      });
      return true;
    } catch (err) {
      if (/unique|duplicate/i.test(String((err as Error).message))) return false;
      throw err;
    }
  }

  async dropReceipt(db: DbOrTx, configurationId: number, reportId: string): Promise<void> {
    await db('usage_receipts').where({ configuration_id: configurationId, report_id: reportId }).delete();
  }

  async source(
    db: DbOrTx,
    configurationId: number,
  ): Promise<{ pushSecret: string | null; pulledUntil: number | null }> {
    const row = await db('usage_sources').where({ configuration_id: configurationId }).first();
    return { pushSecret: row?.push_secret ?? null, pulledUntil: num(row?.pulled_until) };
  }

  async saveSource(
    db: DbOrTx,
    configurationId: number,
    changes: { pushSecret?: string | null; pulledUntil?: number },
    now: number,
  ): Promise<void> {
    const values: Record<string, unknown> = { updated_at: now };
    if (changes.pushSecret !== undefined) values.push_secret = changes.pushSecret;
    if (changes.pulledUntil !== undefined) values.pulled_until = changes.pulledUntil;
    await db('usage_sources')
      .insert({ configuration_id: configurationId, ...values })
      .onConflict('configuration_id')
      .merge(values);
  }

  /** A license's days between two days (inclusive), oldest first. */
  async days(
    db: DbOrTx,
    licenseId: number,
    from: string,
    to: string,
  ): Promise<Array<{ day: string; peak: number; lastReportAt: number }>> {
    const rows = await db('usage_records')
      .where({ license_id: licenseId })
      .andWhere('day', '>=', from)
      .andWhere('day', '<=', to)
      .orderBy('day');
    return rows.map((r) => ({ day: String(r.day), peak: Number(r.peak), lastReportAt: Number(r.last_report_at) }));
  }
}
