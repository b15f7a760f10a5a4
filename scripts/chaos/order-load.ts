import type { ApiClient } from './api-client.js';
import type { SaleItem } from './catalog-setup.js';

export interface LoadResult {
  placed: number;
  /** Payments the API confirmed (2xx). */
  paid: number;
  /** Place or pay calls that did not succeed, with what came back. */
  failures: string[];
}

/**
 * A bounded load: one order per sale item, placed and paid through the API as a store would,
 * started at an even pace over `durationMs` so the faults land in the middle of it. Order
 * references start with `prefix`, which is how the tally finds this load's orders.
 */
export async function runOrderLoad(
  api: ApiClient,
  options: { prefix: string; customerId: number; items: SaleItem[]; durationMs: number },
): Promise<LoadResult> {
  const result: LoadResult = { placed: 0, paid: 0, failures: [] };
  const started = Date.now();
  const gap = options.items.length > 1 ? options.durationMs / (options.items.length - 1) : 0;
  await Promise.all(
    options.items.map(async (item, i) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + i * gap - Date.now())));
      const reference = `${options.prefix}-${i + 1}`;
      const order = await api.call<{ id: number }>('POST', '/api/v1/orders', {
        body: { customerId: options.customerId, planId: item.planId, period: 12, reference },
      });
      if (order.status !== 201 && order.status !== 200) {
        result.failures.push(`place ${reference}: ${order.status || order.error} ${order.text.slice(0, 200)}`);
        return;
      }
      result.placed += 1;
      const pay = await api.call('POST', `/api/v1/orders/${order.body.id}/pay`, {
        body: { paymentReference: `pay-${reference}` },
      });
      if (pay.status >= 200 && pay.status < 300) result.paid += 1;
      else
        result.failures.push(
          `pay ${reference} (order ${order.body.id}): ${pay.status || pay.error} ${pay.text.slice(0, 200)}`,
        );
    }),
  );
  return result;
}
