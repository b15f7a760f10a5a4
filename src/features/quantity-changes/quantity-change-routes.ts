import { z } from 'zod';
import { NotFoundError } from '../../errors/app-error.js';
import { principalOf } from '../../http/access.js';
import { idNumber } from '../../http/params.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { actorOf, type Principal, storeOf } from '../../kernel/principal.js';
import { permissions } from '../../kernel/permissions.js';
import { orderSchema } from '../orders/order-schema.js';
import type { QuantityChangeService } from './quantity-change-service.js';

export const quantityChangeSchema = z
  .object({
    licenseId: idNumber,
    /** The new quantity in packs of the license's plan product (not a difference). */
    quantity: z.number().int().min(1).max(100_000),
    reference: z.string().trim().min(1).max(120),
  })
  .strict();

/** Change orders of a subscription: buy more licenses, or fewer where the plan allows it. */
export function quantityChangeRoutes(deps: {
  service: QuantityChangeService;
  /** The subscription's order, whoever placed it (a store's token id, null for staff) and its customer, or undefined when there is none. */
  placedBy(subscriptionId: number): Promise<{ storeId: number | null; customerId: number } | undefined>;
}): DeclaredRouter {
  /**
   * A store changes only the subscriptions it sold, a customer token only its own; another's is
   * as unknown as one never made. Answers the namespace the order goes in: the store's own, or,
   * for a customer, the store that sold the subscription (which then sees and pays it).
   */
  async function reachable(principal: Principal, subscriptionId: number): Promise<number | null> {
    const placed = await deps.placedBy(subscriptionId);
    const storeId = storeOf(principal);
    if (!placed || (storeId !== null && placed.storeId !== storeId))
      throw new NotFoundError('subscription', subscriptionId);
    if (principal.role === 'customer') {
      if (principal.customerId !== placed.customerId) throw new NotFoundError('subscription', subscriptionId);
      return placed.storeId;
    }
    return storeId;
  }

  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/subscriptions/:id/changes',
        summary: "Place an order changing a license's quantity",
        description:
          "An order of kind `upgrade` (more packs) or `downgrade` (fewer, where the plan allows a decrease, once) for one license of the subscription, paid with `POST /orders/:id/pay`. Paying it changes the key's quota at its KA in the workers (`change_quantity`), then fetches and installs the new key file. Refused before anything is asked of the KA: a license whose product is not counted or packs the plan does not sell (400 at the field), a decrease below what additional keys reserve (409 `quota_reserved`, naming `reserved`), a second decrease or one the plan does not allow (409 `decrease_not_allowed`), a KA plugin that cannot change quantities (409 `not_supported`). The same `reference` again answers 200 with the same order; used for anything else, 409. A customer token changes its own subscriptions; its order is the selling store's to pay (and in its references).",
        roles: permissions.changeQuantity,
        body: quantityChangeSchema,
        answer: {
          status: 201,
          description: 'The order, kind `upgrade` or `downgrade`, `placed` (200 for the same `reference` again).',
          schema: orderSchema,
        },
      },
      async ({ params: { id }, body }, req, res) => {
        const principal = principalOf(req);
        const namespace = await reachable(principal, id);
        const { order, created } = await deps.service.request(id, body, actorOf(principal), namespace);
        res.status(created ? 201 : 200).json(order);
      },
    ),
  ]);
}
