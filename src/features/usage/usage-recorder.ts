import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { LicenseSummary } from '../licenses/license.js';
import type { UsageStore } from './usage-store.js';

/** One key's day as a KA (pulled) or a product (pushed) reported it. */
export interface ReportedDay {
  keyNumber: string;
  day: string;
  peak: number;
  installationId?: string | null;
  lastReportAt: number;
  /** The key's quota then, where the reporter says. */
  quota?: number | null;
}

/** What the license's plan product says about its usage (SaaS, packs). */
export interface UsageTerms {
  saas: boolean;
  packSize: number | null;
}

export interface UsageRecorderDeps {
  db: Db;
  store: UsageStore;
  findLicense(configurationId: number, keyNumber: string): Promise<LicenseSummary | undefined>;
  termsOf(license: LicenseSummary): Promise<UsageTerms>;
  now: () => number;
}

export interface RecordOutcome {
  recorded: number;
  unchanged: number;
  /** Keys no license of the configuration holds: not ours, ignored. */
  unknownKeys: string[];
}

/**
 * Writes reported days, from a pull or a push alike: each day at its highest peak, and the
 * license's watch row (its last report, its newest day's peak, its quota as reported) due for
 * review at once, so the next watch pass judges it. Repeating a report changes nothing.
 */
export class UsageRecorder {
  constructor(private readonly deps: UsageRecorderDeps) {}

  async record(configurationId: number, days: ReportedDay[], source: 'pull' | 'push'): Promise<RecordOutcome> {
    const outcome: RecordOutcome = { recorded: 0, unchanged: 0, unknownKeys: [] };
    const byKey = new Map<string, ReportedDay[]>();
    for (const day of days) byKey.set(day.keyNumber, [...(byKey.get(day.keyNumber) ?? []), day]);
    for (const [keyNumber, keyDays] of byKey) {
      const license = await this.deps.findLicense(configurationId, keyNumber);
      if (!license) {
        outcome.unknownKeys.push(keyNumber);
        continue;
      }
      const terms = await this.deps.termsOf(license);
      const changed = await transaction(this.deps.db, async (tx) => {
        let count = 0;
        for (const d of keyDays) {
          const wrote = await this.deps.store.recordDay(tx, {
            licenseId: license.id,
            configurationId,
            day: d.day,
            peak: d.peak,
            installationId: d.installationId ?? null,
            lastReportAt: d.lastReportAt,
            source,
          });
          if (wrote) count += 1;
        }
        if (count > 0) await this.touchWatch(tx, license, terms, keyDays);
        return count;
      });
      outcome.recorded += changed;
      outcome.unchanged += keyDays.length - changed;
    }
    return outcome;
  }

  private async touchWatch(tx: Db, license: LicenseSummary, terms: UsageTerms, days: ReportedDay[]): Promise<void> {
    const { store, now } = this.deps;
    const at = now();
    const latest = await store.latestDay(tx, license.id);
    const lastReportAt = Math.max(...days.map((d) => d.lastReportAt));
    const quotas = days.filter((d) => typeof d.quota === 'number').sort((a, b) => a.lastReportAt - b.lastReportAt);
    const quota = quotas.at(-1)?.quota ?? null;
    const firstDay = days.map((d) => d.day).sort()[0] ?? '';
    const current = await store.getWatch(tx, license.id);
    if (!current) {
      await store.insertWatch(tx, {
        licenseId: license.id,
        configurationId: license.configurationId,
        customerId: license.customerId,
        keyNumber: license.keyNumber,
        product: license.product,
        saas: terms.saas,
        quota,
        packSize: terms.packSize,
        firstDay,
        lastReportAt,
        lastPeak: latest?.peak ?? 0,
        overuseSince: null,
        graceEndsAt: null,
        graceQuota: null,
        overuseTold: 'none',
        farmState: null,
        missingTold: 0,
        expiredAt: null,
        reviewAt: at,
        updatedAt: at,
      });
      return;
    }
    await store.updateWatch(tx, license.id, current.updatedAt, {
      saas: terms.saas,
      packSize: terms.packSize,
      quota: quota ?? current.quota,
      firstDay: [firstDay, current.firstDay].sort()[0] ?? current.firstDay,
      lastReportAt: Math.max(current.lastReportAt, lastReportAt),
      lastPeak: latest?.peak ?? current.lastPeak,
      reviewAt: at,
      updatedAt: Math.max(at, current.updatedAt + 1),
    });
  }
}
