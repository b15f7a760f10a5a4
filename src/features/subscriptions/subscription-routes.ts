import { NotFoundError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { cursorId, pageById, pageQuerySchema } from '../../http/pagination.js';
import { idText } from '../../http/params.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { actorOf, type Principal, type RoleName, storeOf } from '../../kernel/principal.js';
import { z } from 'zod';
import type { AutoRenewService } from './auto-renew-service.js';
import type { SubscriptionStore } from './subscription-store.js';
import type { SubscriptionReader } from './subscription-reader.js';
import { pageSchema } from '../../http/response-schema.js';
import { subscriptionSchema } from './subscription-schema.js';

const listSchema = pageQuerySchema.extend({ customerId: idText.optional() });
const patchSchema = z.strictObject({ autoRenew: z.boolean() });
/** Who may turn auto-renew on and off: staff who act, the customer itself and the store that sold it. */
const autoRenewers: RoleName[] = ['admin', 'operator', 'store', 'customer'];

/** Every role reads subscriptions, each within its reach: a customer its own, a store those it sold. */
export function subscriptionRoutes(deps: {
  db: Db;
  subscriptions: SubscriptionStore;
  view: SubscriptionReader;
  /** The API token (a store) that placed an order, or null; orders are above subscriptions, so the root passes this in. */
  orderPlacedBy(orderId: number): Promise<number | null | undefined>;
  autoRenew: AutoRenewService;
}): DeclaredRouter {
  async function mayRead(
    principal: Principal,
    subscription: { customerId: number; orderId: number },
  ): Promise<boolean> {
    if (principal.role === 'customer') return principal.customerId === subscription.customerId;
    const storeId = storeOf(principal);
    if (storeId !== null) return (await deps.orderPlacedBy(subscription.orderId)) === storeId;
    return true;
  }

  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/subscriptions',
        summary: 'List subscriptions, newest first',
        description: 'A customer token lists its own, a store token those of the orders it placed.',
        roles: 'any',
        query: listSchema,
        answer: {
          status: 200,
          description: '`{data, nextCursor}` of subscriptions.',
          schema: pageSchema(subscriptionSchema),
        },
      },
      async ({ query }, req, res) => {
        const principal = principalOf(req);
        const rows = await deps.subscriptions.list(deps.db, {
          customerId: principal.role === 'customer' ? principal.customerId : query.customerId,
          placedByTokenId: storeOf(principal) ?? undefined,
          beforeId: cursorId(query.cursor),
          limit: query.limit + 1,
        });
        res.json(pageById(rows, query.limit));
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/subscriptions/:id',
        summary: 'One subscription with its services, license requests and licenses',
        roles: 'any',
        answer: {
          status: 200,
          description:
            'The subscription with `autoRenew`, `services`, `licenseRequests` and `licenses` (each with its `phase`: active, expiring, grace, lapsed; null when terminated).',
          schema: deps.view.schema,
        },
      },
      async ({ params: { id } }, req, res) => {
        const subscription = await deps.view.get(id);
        // Another's subscription answers 404, not 403, so ids cannot be probed.
        if (!subscription || !(await mayRead(principalOf(req), subscription)))
          throw new NotFoundError('subscription', id);
        res.json(subscription);
      },
    ),
    defineRoute(
      {
        method: 'patch',
        path: '/subscriptions/:id',
        summary: "Turn the subscription's auto-renew on or off",
        description:
          'With auto-renew on (the default for a store order), the scheduler raises `subscription.renewal_due` `KEYWAY_RENEWAL_NOTICE_DAYS` before the expiry, once per term. Staff, the customer itself, and the store that sold it; audited when it changes.',
        roles: autoRenewers,
        body: patchSchema,
        answer: {
          status: 200,
          description: 'The subscription, as `GET /subscriptions/:id` answers it.',
          schema: deps.view.schema,
        },
      },
      async ({ params: { id }, body }, req, res) => {
        const principal = principalOf(req);
        const before = await deps.subscriptions.get(deps.db, id);
        if (!before || !(await mayRead(principal, before))) throw new NotFoundError('subscription', id);
        await deps.autoRenew.set(id, body.autoRenew, actorOf(principal));
        res.json(await deps.view.get(id));
      },
    ),
  ]);
}
