import { NotFoundError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { monthSpan } from './usage-report-store.js';
import { usageStanding, type UsageWatch } from './usage-rules.js';
import { type UsageStore, watchOf } from './usage-store.js';

export type UsageStanding = ReturnType<typeof usageStanding>;

/** One license's line on the usage page: its standing and its month of days. */
export interface LicenseUsage {
  licenseId: number;
  keyNumber: string;
  product: string;
  customerId: number | null;
  configurationId: number;
  standing: UsageStanding | null;
  days: Array<{ day: string; peak: number; lastReportAt: string }>;
}

/** What needs a person first: overused (farm deactivated, then in grace), then silent SaaS keys, then the rest. */
function urgency(watch: UsageWatch, now: number): number {
  if (watch.farmState === 'deactivated') return 0;
  if (watch.overuseSince !== null) return 1;
  if (watch.saas && watch.expiredAt === null && now - watch.lastReportAt >= 24 * 60 * 60 * 1000) return 2;
  if (watch.expiredAt !== null) return 3;
  return 4;
}

/** Reads of usage for the API and the console. */
export class UsageView {
  constructor(
    private readonly deps: {
      db: Db;
      store: UsageStore;
      now: () => number;
      /** A license that never reported: what the page names it by. */
      licenseOf(
        id: number,
      ): Promise<
        { keyNumber: string; product: string; customerId: number | null; configurationId: number } | undefined
      >;
    },
  ) {}

  private defaultMonth(): string {
    return new Date(this.deps.now()).toISOString().slice(0, 7);
  }

  async license(licenseId: number, month = this.defaultMonth()): Promise<LicenseUsage> {
    const { db, store, now } = this.deps;
    const watch = await store.getWatch(db, licenseId);
    const license = watch ?? (await this.deps.licenseOf(licenseId));
    if (!license) throw new NotFoundError('License', licenseId);
    const span = monthSpan(month);
    const days = await store.days(db, licenseId, span.from, span.to);
    return {
      licenseId,
      keyNumber: license.keyNumber,
      product: license.product,
      customerId: license.customerId,
      configurationId: license.configurationId,
      standing: watch ? usageStanding(watch, now()) : null,
      days: days.map((d) => ({ day: d.day, peak: d.peak, lastReportAt: new Date(d.lastReportAt).toISOString() })),
    };
  }

  /**
   * The watched licenses of a configuration or a customer (at most `limit`), overused and
   * not-reporting first, each with its month of days.
   */
  async scope(
    scope: { configurationId?: number; customerId?: number },
    month = this.defaultMonth(),
    limit = 100,
  ): Promise<LicenseUsage[]> {
    const { db, now } = this.deps;
    const q = db('usage_watch');
    if (scope.configurationId !== undefined) q.where({ configuration_id: scope.configurationId });
    if (scope.customerId !== undefined) q.where({ customer_id: scope.customerId });
    // Those needing a person first, in the database: overuse or silence, then the rest.
    const rows = await q
      .orderByRaw('CASE WHEN overuse_since IS NULL AND farm_state IS NULL THEN 1 ELSE 0 END')
      .orderBy('last_report_at')
      .limit(limit);
    const watches = rows.map(watchOf).sort((a, b) => urgency(a, now()) - urgency(b, now()));
    return Promise.all(watches.map((w) => this.license(w.licenseId, month)));
  }
}
