import type { Knex } from 'knex';
import type { Db, DbOrTx } from '../../infra/db/database.js';

/** `YYYY-MM` → its first and last day (`YYYY-MM-DD`) and its number of days. */
export function monthSpan(month: string): { from: string; to: string; days: number } {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(days).padStart(2, '0')}`, days };
}

/** The month before the one `now` is in, `YYYY-MM`. */
export function previousMonth(now: number): string {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/** One license's line of a month's report. */
export interface ReportRow {
  month: string;
  licenseId: number;
  configurationId: number;
  customerId: number | null;
  keyNumber: string;
  product: string;
  saas: boolean;
  quota: number | null;
  peak: number;
  average: number;
  daysReported: number;
  daysMissing: number;
}

export function reportRowOf(r: Record<string, unknown>): ReportRow {
  return {
    month: String(r.month),
    licenseId: Number(r.license_id),
    configurationId: Number(r.configuration_id),
    customerId: r.customer_id === null ? null : Number(r.customer_id),
    keyNumber: String(r.key_number),
    product: String(r.product),
    saas: Boolean(r.saas),
    quota: r.usage_quota === null ? null : Number(r.usage_quota),
    peak: Number(r.peak),
    average: Number(r.average_centi) / 100,
    daysReported: Number(r.days_reported),
    daysMissing: Number(r.days_missing),
  };
}

export interface ReportFilter {
  month: string;
  configurationId?: number;
  customerId?: number;
}

/** The month reports' tables: built set-based in the database, read by keyset pages or streamed. */
export class UsageReportStore {
  /** Claims the month's build: the primary key lets one worker in; a build stuck past `staleBefore` is taken over. */
  async claimBuild(db: DbOrTx, month: string, now: number, staleBefore: number): Promise<boolean> {
    const known = await db('usage_report_builds').where({ month }).first();
    if (!known) {
      try {
        await db('usage_report_builds').insert({ month, state: 'building', started_at: now });
        return true;
      } catch (err) {
        if (/unique|duplicate/i.test(String((err as Error).message))) return false;
        throw err;
      }
    }
    if (known.state !== 'building' || Number(known.started_at) >= staleBefore) return false;
    const taken = await db('usage_report_builds')
      .where({ month, state: 'building', started_at: known.started_at })
      .update({ started_at: now });
    return taken === 1;
  }

  async finishBuild(db: DbOrTx, month: string, rows: number, now: number): Promise<void> {
    await db('usage_report_builds').where({ month }).update({ state: 'built', finished_at: now, rows });
  }

  async build(db: DbOrTx, month: string): Promise<{ month: string; state: string; rows: number } | undefined> {
    const row = await db('usage_report_builds').where({ month }).first();
    return row ? { month, state: String(row.state), rows: Number(row.rows) } : undefined;
  }

  /** The watched licenses' ids in `(after, …]`, at most `limit`: the builder's batches. */
  async licenseIdsAfter(db: DbOrTx, after: number, limit: number, lastDay: string): Promise<number[]> {
    const rows = await db('usage_watch')
      .where('license_id', '>', after)
      .andWhere('first_day', '<=', lastDay)
      .orderBy('license_id')
      .limit(limit)
      .select('license_id');
    return rows.map((r) => Number(r.license_id));
  }

  /**
   * Writes the month's lines of licenses `from..to` (ids) in one INSERT ... SELECT: the database
   * aggregates the days, nothing is held in memory. Lines written before for those licenses (a
   * build taken over) are replaced. Days missing count from the license's first reported day
   * when it falls in the month.
   */
  async writeBatch(db: DbOrTx, month: string, fromId: number, toId: number): Promise<number> {
    const span = monthSpan(month);
    await db('usage_monthly_reports')
      .where({ month })
      .andWhere('license_id', '>=', fromId)
      .andWhere('license_id', '<=', toId)
      .delete();
    // `SUBSTR(...) + 0` turns the day of the month into a number on SQLite and MariaDB alike.
    const window = `(? - CASE WHEN w.first_day > ? THEN SUBSTR(w.first_day, 9, 2) + 0 - 1 ELSE 0 END)`;
    const select = (db as Knex)
      .select(
        db.raw('? as month', [month]),
        'w.license_id',
        'w.configuration_id',
        'w.customer_id',
        'w.key_number',
        'w.product',
        'w.saas',
        'w.usage_quota',
        db.raw('COALESCE(MAX(r.peak), 0) as peak'),
        db.raw('COALESCE(ROUND(AVG(r.peak) * 100), 0) as average_centi'),
        db.raw('COUNT(r.day) as days_reported'),
        db.raw(`${window} - COUNT(r.day) as days_missing`, [span.days, span.from]),
      )
      .from('usage_watch as w')
      .leftJoin('usage_records as r', (j) => {
        j.on('r.license_id', '=', 'w.license_id')
          .andOn('r.day', '>=', db.raw('?', [span.from]))
          .andOn('r.day', '<=', db.raw('?', [span.to]));
      })
      .where('w.license_id', '>=', fromId)
      .andWhere('w.license_id', '<=', toId)
      .andWhere('w.first_day', '<=', span.to)
      .groupBy(
        'w.license_id',
        'w.configuration_id',
        'w.customer_id',
        'w.key_number',
        'w.product',
        'w.saas',
        'w.usage_quota',
        'w.first_day',
      );
    await db
      .into(
        db.raw(
          '?? (month, license_id, configuration_id, customer_id, key_number, product, saas, usage_quota, peak, average_centi, days_reported, days_missing)',
          ['usage_monthly_reports'],
        ),
      )
      .insert(select);
    const [counted] = (await db('usage_monthly_reports')
      .where({ month })
      .andWhere('license_id', '>=', fromId)
      .andWhere('license_id', '<=', toId)
      .count({ n: '*' })) as Array<{ n: number | string }>;
    return Number(counted?.n ?? 0);
  }

  private filtered(db: DbOrTx, filter: ReportFilter) {
    const q = db('usage_monthly_reports').where({ month: filter.month });
    if (filter.configurationId !== undefined) q.andWhere({ configuration_id: filter.configurationId });
    if (filter.customerId !== undefined) q.andWhere({ customer_id: filter.customerId });
    return q;
  }

  /** One page of lines after license id `after` (keyset). */
  async page(db: DbOrTx, filter: ReportFilter, after: number, limit: number): Promise<ReportRow[]> {
    const rows = await this.filtered(db, filter).andWhere('license_id', '>', after).orderBy('license_id').limit(limit);
    return rows.map(reportRowOf);
  }

  /** Every line, streamed from the database in license order: never all in memory. */
  stream(db: Db, filter: ReportFilter): AsyncIterable<Record<string, unknown>> {
    return this.filtered(db, filter).orderBy('license_id').stream() as unknown as AsyncIterable<
      Record<string, unknown>
    >;
  }

  /** Totals per configuration and per customer: what a provider bills from. */
  async totals(db: DbOrTx, filter: ReportFilter, by: 'configuration_id' | 'customer_id') {
    const rows = await this.filtered(db, filter)
      .groupBy(by)
      .orderBy(by)
      .select(by, db.raw('COUNT(*) as licenses'), db.raw('SUM(peak) as peak'), db.raw('SUM(days_missing) as missing'));
    return rows.map((r) => ({
      [by === 'customer_id' ? 'customerId' : 'configurationId']: r[by] === null ? null : Number(r[by]),
      licenses: Number(r.licenses),
      peakUnits: Number(r.peak),
      daysMissing: Number(r.missing),
    }));
  }
}
