import type { DbOrTx } from '../../infra/db/database.js';
import { toIso } from '../../infra/db/rows.js';

/** A paid renewal: the term move it made on its subscription. */
export interface SubscriptionRenewal {
  id: number;
  subscriptionId: number;
  orderId: number;
  periodMonths: number;
  /** The expiry before the renewal, and after it (the period added to it). */
  fromExpiresAt: string;
  toExpiresAt: string;
  createdAt: string;
}

interface RenewalRow {
  id: number;
  subscription_id: number;
  order_id: number;
  period_months: number;
  from_expires_at: number | string;
  to_expires_at: number | string;
  created_at: number | string;
}

const toRenewal = (r: RenewalRow): SubscriptionRenewal => ({
  id: Number(r.id),
  subscriptionId: Number(r.subscription_id),
  orderId: Number(r.order_id),
  periodMonths: Number(r.period_months),
  fromExpiresAt: toIso(Number(r.from_expires_at)) ?? '',
  toExpiresAt: toIso(Number(r.to_expires_at)) ?? '',
  createdAt: toIso(Number(r.created_at)) ?? '',
});

/** Rows of `subscription_renewals`: one per paid renewal order (the order id is unique). */
export class RenewalStore {
  async insert(
    tx: DbOrTx,
    input: { subscriptionId: number; orderId: number; periodMonths: number; from: number; to: number; now: number },
  ): Promise<number> {
    const [id] = await tx('subscription_renewals').insert({
      subscription_id: input.subscriptionId,
      order_id: input.orderId,
      period_months: input.periodMonths,
      from_expires_at: input.from,
      to_expires_at: input.to,
      created_at: input.now,
    });
    return Number(id);
  }

  /** A subscription's renewals, newest first. */
  async listOf(db: DbOrTx, subscriptionId: number): Promise<SubscriptionRenewal[]> {
    const rows = await db<RenewalRow>('subscription_renewals')
      .where({ subscription_id: subscriptionId })
      .orderBy('id', 'desc');
    return rows.map(toRenewal);
  }
}
