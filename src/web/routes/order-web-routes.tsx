import { Router } from 'express';
import type { ConsoleReads } from '../console-reads.js';
import { NotFoundError } from '../../errors/app-error.js';
import { cursorId, pageById } from '../../http/pagination.js';
import { idParams } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { OrderPage } from '../pages/order-page.js';
import { OrdersPage } from '../pages/orders-page.js';
import { SubscriptionPage } from '../pages/subscription-page.js';
import { SubscriptionsPage } from '../pages/subscriptions-page.js';
import { configurationNames, customerNames, planNames } from '../../read-models/names.js';
import { sendPage } from '../render.js';
import { viewContext } from '../view-context.js';
import { filledQuery, type ListFilter, parseListFilter } from './list-filters.js';
import { orderStates, subscriptionStates } from './list-states.js';

const pageSize = 50;

const filteredCustomer = (parsed: { filter: ListFilter<string> } | object): number | undefined =>
  'filter' in parsed ? parsed.filter.customerId : undefined;
const nameOf = (names: Map<number, string>, id: number | undefined) => (id === undefined ? undefined : names.get(id));

/** Orders and subscriptions, read-only: the store places and pays orders through the API. */
export function orderWebRoutes({ context }: { context: ConsoleReads }): Router {
  const router = Router();
  const { db, stores } = context;

  router.get('/orders', async (req, res) => {
    const form = filledQuery(req.query);
    const parsed = parseListFilter(orderStates, form);
    const errors = 'errors' in parsed ? parsed.errors : undefined;
    const rows =
      'errors' in parsed
        ? []
        : await stores.orders.list(db, { ...parsed.filter, beforeId: cursorId(parsed.cursor), limit: pageSize + 1 });
    const page = pageById(rows, pageSize);
    const [customers, plans] = await Promise.all([
      customerNames(db, [...page.data.map((o) => o.customerId), filteredCustomer(parsed)]),
      planNames(
        db,
        page.data.map((o) => o.planId),
      ),
    ]);
    sendPage(
      res,
      <OrdersPage
        ctx={viewContext(req)}
        orders={page.data}
        customers={customers}
        plans={plans}
        query={form}
        nextCursor={page.nextCursor}
        errors={errors}
        customerName={nameOf(customers, filteredCustomer(parsed))}
      />,
      errors ? 400 : 200,
    );
  });

  router.get('/orders/:id', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const order = await stores.orders.get(db, id);
    if (!order) throw new NotFoundError('order', id);
    const [customer, plans] = await Promise.all([
      stores.customers.get(db, order.customerId),
      planNames(db, [order.planId]),
    ]);
    sendPage(
      res,
      <OrderPage ctx={viewContext(req)} order={order} customer={customer} planName={plans.get(order.planId)} />,
    );
  });

  router.get('/subscriptions', async (req, res) => {
    const form = filledQuery(req.query);
    const parsed = parseListFilter(subscriptionStates, form);
    const errors = 'errors' in parsed ? parsed.errors : undefined;
    const rows =
      'errors' in parsed
        ? []
        : await stores.subscriptions.list(db, {
            ...parsed.filter,
            beforeId: cursorId(parsed.cursor),
            limit: pageSize + 1,
          });
    const page = pageById(rows, pageSize);
    const [customers, plans] = await Promise.all([
      customerNames(db, [...page.data.map((s) => s.customerId), filteredCustomer(parsed)]),
      planNames(
        db,
        page.data.map((s) => s.planId),
      ),
    ]);
    sendPage(
      res,
      <SubscriptionsPage
        ctx={viewContext(req)}
        subscriptions={page.data}
        customers={customers}
        plans={plans}
        query={form}
        nextCursor={page.nextCursor}
        errors={errors}
        customerName={nameOf(customers, filteredCustomer(parsed))}
      />,
      errors ? 400 : 200,
    );
  });

  router.get('/subscriptions/:id', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const subscription = await context.subscriptionView.get(id);
    if (!subscription) throw new NotFoundError('subscription', id);
    const [customer, plans, configurations] = await Promise.all([
      stores.customers.get(db, subscription.customerId),
      planNames(db, [subscription.planId]),
      configurationNames(
        db,
        subscription.licenseRequests.map((r) => r.configurationId),
      ),
    ]);
    sendPage(
      res,
      <SubscriptionPage
        ctx={viewContext(req)}
        subscription={subscription}
        customer={customer}
        planName={plans.get(subscription.planId)}
        configurations={configurations}
      />,
    );
  });

  return router;
}
