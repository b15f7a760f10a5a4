import type { PipelineDeps } from './pipeline-deps.js';

/**
 * Observes the paid→installed histogram for a request just installed: from its order's
 * `paid_at` to `installedAt`. A request without an order (New License by staff) has nothing to
 * measure. A metric never fails the step that feeds it.
 */
export async function observePaidToInstalled(
  deps: PipelineDeps,
  subscriptionId: number | null,
  installedAt: number,
): Promise<void> {
  if (!deps.metrics || subscriptionId === null) return;
  try {
    const row = (await deps
      .db('subscriptions')
      .join('orders', 'orders.id', 'subscriptions.order_id')
      .where('subscriptions.id', subscriptionId)
      .first('orders.paid_at as paidAt')) as { paidAt: number | string | null } | undefined;
    if (row?.paidAt == null) return;
    deps.metrics.paidToInstalled.observe(Math.max(0, installedAt - Number(row.paidAt)) / 1000);
  } catch (err) {
    deps.logger.warn({ err, subscriptionId }, 'paid-to-installed metric not observed');
  }
}

/** `observePaidToInstalled` for a batch installed together: one read for all their orders. */
export async function observePaidToInstalledMany(
  deps: PipelineDeps,
  subscriptionIds: Array<number | null>,
  installedAt: number,
): Promise<void> {
  const ids = [...new Set(subscriptionIds.filter((id): id is number => id !== null))];
  if (!deps.metrics || !ids.length) return;
  try {
    const rows = (await deps
      .db('subscriptions')
      .join('orders', 'orders.id', 'subscriptions.order_id')
      .whereIn('subscriptions.id', ids)
      .select('subscriptions.id as id', 'orders.paid_at as paidAt')) as Array<{
      id: number;
      paidAt: number | string | null;
    }>;
    const paidAt = new Map(rows.map((r) => [Number(r.id), r.paidAt]));
    // One observation per license, as each request is measured on its own.
    for (const id of subscriptionIds) {
      const paid = id === null ? null : paidAt.get(id);
      if (paid != null) deps.metrics.paidToInstalled.observe(Math.max(0, installedAt - Number(paid)) / 1000);
    }
  } catch (err) {
    deps.logger.warn({ err, subscriptions: ids.length }, 'paid-to-installed metric not observed');
  }
}
