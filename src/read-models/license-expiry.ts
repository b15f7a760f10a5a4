import type { DbOrTx } from '../infra/db/database.js';

const dayMs = 24 * 60 * 60_000;

/** How far ahead a license counts as expiring, and how long an expired one stays in grace (DOMAIN: 30 days). */
export const expiryWindows = { expiringDays: 14, graceDays: 30 } as const;

export interface ExpiryCounts {
  /** Expires within the warning window from now. */
  expiring: number;
  /** Expired at most the grace period ago: still working, should be renewed. */
  inGrace: number;
}

/**
 * Licenses expiring soon and in grace, read from `expires_at` at `nowMs`. Terminated keys are
 * gone at the KA and not counted. The one place that decides the phase for the home page, so a
 * stored phase can replace this query without touching its callers.
 */
export async function expiryCounts(db: DbOrTx, nowMs: number): Promise<ExpiryCounts> {
  const soon = nowMs + expiryWindows.expiringDays * dayMs;
  const graceStart = nowMs - expiryWindows.graceDays * dayMs;
  const row = (await db('licenses')
    .whereNot('status', 'terminated')
    .whereNotNull('expires_at')
    .where('expires_at', '>=', graceStart)
    .where('expires_at', '<', soon)
    .select(
      db.raw('sum(case when expires_at >= ? then 1 else 0 end) as expiring', [nowMs]),
      db.raw('sum(case when expires_at < ? then 1 else 0 end) as in_grace', [nowMs]),
    )
    .first()) as { expiring: number | string | null; in_grace: number | string | null } | undefined;
  return { expiring: Number(row?.expiring ?? 0), inGrace: Number(row?.in_grace ?? 0) };
}
