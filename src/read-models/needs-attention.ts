import type { DbOrTx } from '../infra/db/database.js';

/**
 * The most common reasons requests wait for staff, for the "needs attention" summary: one
 * grouped query over the (state, ...) index, bounded to the top reasons.
 */
export async function needsManualByReason(db: DbOrTx, top = 10): Promise<Array<{ reason: string; count: number }>> {
  const rows = (await db('license_requests')
    .select('reason')
    .count({ n: '*' })
    .where('state', 'needs_manual')
    .groupBy('reason')
    .orderBy('n', 'desc')
    .limit(top)) as Array<{ reason: string | null; n: number | string }>;
  return rows.map((r) => ({ reason: r.reason ?? '(no reason recorded)', count: Number(r.n) }));
}
