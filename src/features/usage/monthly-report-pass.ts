import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { AuditWriter } from '../audit/audit-store.js';
import { monthSpan, previousMonth, type UsageReportStore } from './usage-report-store.js';

/** A build not finished within this long lost its worker: another takes it over. */
const STALE_BUILD_MS = 60 * 60 * 1000;

export interface MonthlyReportDeps {
  db: Db;
  reports: UsageReportStore;
  audit: AuditWriter;
  batchSize?: number;
}

/**
 * The scheduler's monthly report pass: from the 1st, the previous month's report is built once
 * (the build row is the claim), in batches of licenses, each one INSERT ... SELECT in its own
 * transaction, so memory stays flat whatever the number of licenses and days. Ready by the 3rd
 * with room to spare: the bench builds 100,000 licenses × 31 days within a minute.
 */
export class MonthlyReportPass {
  constructor(private readonly deps: MonthlyReportDeps) {}

  async runDue(now: number): Promise<{ month: string; rows: number } | undefined> {
    return this.build(previousMonth(now), now);
  }

  /** Builds `month` unless it is built or being built; answers the lines written. */
  async build(month: string, now: number): Promise<{ month: string; rows: number } | undefined> {
    const { db, reports } = this.deps;
    if (!(await reports.claimBuild(db, month, now, now - STALE_BUILD_MS))) return undefined;
    const lastDay = monthSpan(month).to;
    const limit = this.deps.batchSize ?? 5000;
    let after = 0;
    let rows = 0;
    for (;;) {
      const ids = await reports.licenseIdsAfter(db, after, limit, lastDay);
      if (!ids.length) break;
      const from = ids[0] as number;
      const to = ids.at(-1) as number;
      rows += await transaction(db, (tx) => reports.writeBatch(tx, month, from, to));
      after = to;
      if (ids.length < limit) break;
    }
    await transaction(db, async (tx) => {
      await reports.finishBuild(tx, month, rows, Date.now());
      await this.deps.audit.record(tx, {
        actor: { type: 'worker', name: 'usage reports' },
        action: 'usage_report.built',
        entityType: 'usage_report',
        entityId: month,
        data: { rows },
      });
    });
    return { month, rows };
  }
}
