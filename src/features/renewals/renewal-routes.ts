import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../errors/app-error.js';
import { allow, principalOf } from '../../http/access.js';
import type { ApiOperation } from '../../http/openapi/api-operation.js';
import { idParams } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { actorOf, type Principal, storeOf } from '../../kernel/principal.js';
import type { RenewalService } from './renewal-service.js';

const renewalSchema = z.object({
  period: z.number().int().positive(),
  reference: z.string().trim().min(1).max(120),
});

const buyers = ['admin', 'operator', 'store'] as const;

/** Renewal orders of a subscription, and the renewals paid. */
export function renewalRoutes(deps: {
  service: RenewalService;
  /** The subscription's order and whoever placed it (a store's token id, null for staff), or undefined when there is none. */
  placedBy(subscriptionId: number): Promise<{ storeId: number | null } | undefined>;
}): Router {
  const router = Router();

  /** A store renews only the subscriptions it sold; another's is as unknown as one never made. */
  async function reachable(principal: Principal, subscriptionId: number): Promise<void> {
    const placed = await deps.placedBy(subscriptionId);
    const storeId = storeOf(principal);
    if (!placed || (storeId !== null && placed.storeId !== storeId))
      throw new NotFoundError('subscription', subscriptionId);
  }

  router.post('/subscriptions/:id/renewals', allow(...buyers), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const input = validate(renewalSchema, req.body);
    const principal = principalOf(req);
    await reachable(principal, id);
    const { order, created } = await deps.service.request(id, input, actorOf(principal), storeOf(principal));
    res.status(created ? 201 : 200).json(order);
  });

  router.get('/subscriptions/:id/renewals', allow('admin', 'operator', 'viewer', 'store'), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    await reachable(principalOf(req), id);
    res.json({ data: await deps.service.listOf(id) });
  });

  return router;
}

/** The operations of `renewalRoutes`, for the API document. */
export const renewalOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/subscriptions/:id/renewals',
    summary: 'Place a renewal order for a subscription',
    description:
      'An order of kind `renewal` for `period` months (one the plan sells), paid with `POST /orders/:id/pay`. Paying it renews the subscription from its current expiry (valid until 2021-04-01, renewed for 12 months: until 2022-04-01, also when renewed early or in grace) and each license at its KA, in the workers, with the renewed key file fetched and installed. The same `reference` again answers 200 with the same order; used for anything else, 409. A subscription still provisioning answers 409.',
    roles: [...buyers],
    body: renewalSchema,
    answer: { status: 201, description: 'The order, kind `renewal`, `placed`.' },
  },
  {
    method: 'get',
    path: '/subscriptions/:id/renewals',
    summary: "A subscription's paid renewals, newest first",
    description:
      "Each with its term move (`fromExpiresAt` → `toExpiresAt`), its order and the state of each license's renewal.",
    roles: ['admin', 'operator', 'viewer', 'store'],
    answer: { status: 200, description: '`{data}` of renewals.' },
  },
];
