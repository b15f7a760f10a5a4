import type { DbOrTx } from '../../infra/db/database.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import type { Order } from './order-store.js';

/**
 * The port through which paying an order for a running subscription acts: a renewal order
 * renews its subscription, an upgrade or downgrade order changes a license's quantity. Both
 * features sit above orders (they act on licenses), so the composition root connects them.
 */
export interface RenewalPayment {
  /**
   * In the payment's transaction: extends the subscription by the order's period from its
   * current expiry and creates one renewal per license. Answers the audit events to write with
   * the payment and what to run once it committed (hand the renewals to the workers). Throws
   * (rolling the payment back) when the subscription cannot be renewed.
   */
  paid(
    tx: DbOrTx,
    order: Order,
    now: number,
    actor: Actor,
  ): Promise<{ audit: AuditEventInput[]; after(): Promise<void> }>;
}
