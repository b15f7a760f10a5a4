import { z } from 'zod';
import { NotFoundError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { cursorId, pageById, pageQuerySchema } from '../../http/pagination.js';
import { idNumber, idText } from '../../http/params.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { actorOf, type Principal, type RoleName, storeOf } from '../../kernel/principal.js';
import type { SubscriptionReader } from '../subscriptions/subscription-reader.js';
import type { OrderService, WrittenSubscription } from './order-service.js';
import type { Order, OrderStore } from './order-store.js';
import { pageSchema } from '../../http/response-schema.js';
import { orderSchema } from './order-schema.js';

const reference = z.string().trim().min(1).max(120);

const placeOrderSchema = z
  .object({
    customerId: idNumber,
    planId: idNumber,
    period: z.number().int().positive(),
    reference,
    /** Packs of the plan's one counted license product. */
    quantity: z.number().int().min(1).max(100_000).optional(),
    /** Packs per counted license product of the plan, by its id. */
    licenseQuantities: z
      .array(z.object({ licenseProductId: idNumber, quantity: z.number().int().min(1).max(100_000) }).strict())
      .max(20)
      .optional(),
  })
  // A field the API does not know is refused, never dropped (a quantity misspelt must not buy the default).
  .strict();

const payOrderSchema = z.object({ paymentReference: reference });

const listOrdersSchema = pageQuerySchema.extend({ customerId: idText.optional() });

/** A store token sees only the orders it placed. */
function canSee(principal: Principal, order: Order): boolean {
  const storeId = storeOf(principal);
  return storeId === null || order.placedByTokenId === storeId;
}

/** The subscription as the API shows it; `ofPayment`: as a payment wrote it, without reading it back. */
export type PaidSubscriptionView = SubscriptionReader & { ofPayment(written: WrittenSubscription): unknown };

export function orderRoutes(deps: {
  db: Db;
  orders: OrderStore;
  service: OrderService;
  subscriptionView: PaidSubscriptionView;
}): DeclaredRouter {
  const buyers: RoleName[] = ['admin', 'operator', 'store'];
  const orderReaders: RoleName[] = ['admin', 'operator', 'viewer', 'store'];

  async function visibleOrder(principal: Principal, id: number): Promise<Order> {
    const order = await deps.orders.get(deps.db, id);
    if (!order || !canSee(principal, order)) throw new NotFoundError('order', id);
    return order;
  }

  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/orders',
        summary: 'Place an order',
        description:
          "`quantity` (packs of the plan's one counted license product) or `licenseQuantities` (packs per counted product) set the keys' quotas: packs × the product's pack size; a quantity the plan does not sell is a 400 at its field. A known `reference` answers 200 with the order it placed before, so a store can resend. References are per store (a store token has its own; staff and admin or operator tokens share another), and a store orders only for the customers it created: another store's reference is a new order, another store's customer a 400 like an unknown one.",
        roles: buyers,
        body: placeOrderSchema,
        answer: { status: 201, description: 'The order, `placed`.', schema: orderSchema },
      },
      async ({ body }, req, res) => {
        const principal = principalOf(req);
        const { order, created } = await deps.service.place(
          { ...body, placedByTokenId: storeOf(principal) },
          actorOf(principal),
        );
        res.status(created ? 201 : 200).json(order);
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/orders',
        summary: 'List orders, newest first',
        description: 'A store token lists the orders it placed.',
        roles: orderReaders,
        query: listOrdersSchema,
        answer: { status: 200, description: '`{data, nextCursor}` of orders.', schema: pageSchema(orderSchema) },
      },
      async ({ query }, req, res) => {
        const principal = principalOf(req);
        const rows = await deps.orders.list(deps.db, {
          customerId: query.customerId,
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
        path: '/orders/:id',
        summary: 'One order',
        description: 'A store token reads only the orders it placed; another answers 404, as an id never used does.',
        roles: orderReaders,
        answer: { status: 200, description: 'The order.', schema: orderSchema },
      },
      async ({ params }, req, res) => {
        res.json(await visibleOrder(principalOf(req), params.id));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/orders/:id/pay',
        summary: 'Record the payment of an order',
        description:
          'One transaction marks the order paid and creates its subscription, services and license requests. Paying again with the same reference answers 200 with the same subscription; another reference is a 409.',
        roles: buyers,
        body: payOrderSchema,
        answer: {
          status: 201,
          description:
            '`{order, subscription}`: the subscription with its services, license requests and licenses, as the payment left them (a repeated payment: as they are now).',
          schema: z.object({ order: orderSchema, subscription: deps.subscriptionView.schema }),
        },
      },
      async ({ params, body }, req, res) => {
        const principal = principalOf(req);
        // With its customer: the payment's events name them without reading them back.
        const found = await deps.service.orderToPay(params.id);
        if (!found || !canSee(principal, found.order)) throw new NotFoundError('order', params.id);
        const result = await deps.service.pay(found.order, body.paymentReference, actorOf(principal), found.customer);
        // A first payment answers what it wrote; a repeated one reads the subscription as it is now.
        const subscription = result.written
          ? deps.subscriptionView.ofPayment(result.written)
          : await deps.subscriptionView.get(result.subscriptionId);
        res.status(result.created ? 201 : 200).json({ order: result.order, subscription });
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/orders/:id/cancel',
        summary: 'Cancel an order before it is paid',
        roles: buyers,
        answer: { status: 200, description: 'The order, `cancelled`.', schema: orderSchema },
      },
      async ({ params }, req, res) => {
        const principal = principalOf(req);
        await visibleOrder(principal, params.id);
        res.json(await deps.service.cancel(params.id, actorOf(principal)));
      },
    ),
  ]);
}
