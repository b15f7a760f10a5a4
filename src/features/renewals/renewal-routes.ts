import { z } from 'zod';
import { NotFoundError } from '../../errors/app-error.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { actorOf, type Principal, type RoleName, storeOf } from '../../kernel/principal.js';
import type { RenewalService } from './renewal-service.js';
import { listAnswerSchema } from '../../http/response-schema.js';
import { orderSchema } from '../orders/order-schema.js';
import { renewalViewSchema } from './renewal-schema.js';

const renewalSchema = z.object({
  period: z.number().int().positive(),
  reference: z.string().trim().min(1).max(120),
});

const buyers: RoleName[] = ['admin', 'operator', 'store'];
const renewalReaders: RoleName[] = ['admin', 'operator', 'viewer', 'store'];

/** Renewal orders of a subscription, and the renewals paid. */
export function renewalRoutes(deps: {
  service: RenewalService;
  /** The subscription's order and whoever placed it (a store's token id, null for staff), or undefined when there is none. */
  placedBy(subscriptionId: number): Promise<{ storeId: number | null } | undefined>;
}): DeclaredRouter {
  /** A store renews only the subscriptions it sold; another's is as unknown as one never made. */
  async function reachable(principal: Principal, subscriptionId: number): Promise<void> {
    const placed = await deps.placedBy(subscriptionId);
    const storeId = storeOf(principal);
    if (!placed || (storeId !== null && placed.storeId !== storeId))
      throw new NotFoundError('subscription', subscriptionId);
  }

  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/subscriptions/:id/renewals',
        summary: 'Place a renewal order for a subscription',
        description:
          'An order of kind `renewal` for `period` months (one the plan sells), paid with `POST /orders/:id/pay`. Paying it renews the subscription from its current expiry (valid until 2021-04-01, renewed for 12 months: until 2022-04-01, also when renewed early or in grace) and each license at its KA, in the workers, with the renewed key file fetched and installed. The same `reference` again answers 200 with the same order; used for anything else, 409. A subscription still provisioning answers 409.',
        roles: buyers,
        body: renewalSchema,
        answer: { status: 201, description: 'The order, kind `renewal`, `placed`.', schema: orderSchema },
      },
      async ({ params: { id }, body }, req, res) => {
        const principal = principalOf(req);
        await reachable(principal, id);
        const { order, created } = await deps.service.request(id, body, actorOf(principal), storeOf(principal));
        res.status(created ? 201 : 200).json(order);
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/subscriptions/:id/renewals',
        summary: "A subscription's paid renewals, newest first",
        description:
          "Each with its term move (`fromExpiresAt` → `toExpiresAt`), its order and the state of each license's renewal.",
        roles: renewalReaders,
        answer: { status: 200, description: '`{data}` of renewals.', schema: listAnswerSchema(renewalViewSchema) },
      },
      async ({ params: { id } }, req, res) => {
        await reachable(principalOf(req), id);
        res.json({ data: await deps.service.listOf(id) });
      },
    ),
  ]);
}
