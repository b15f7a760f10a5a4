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
