import { type Request, type Response, Router } from 'express';
import type { ConsoleReads } from '../console-reads.js';
import { AppError, NotFoundError } from '../../errors/app-error.js';
import { allow, principalOf } from '../../http/access.js';
import { actorOf, operators } from '../../kernel/principal.js';
import type { WorkedOperationService } from '../../features/licenses/worked-operation-service.js';
import type { OrderService } from '../../features/orders/order-service.js';
import type { RenewalService } from '../../features/renewals/renewal-service.js';
import { formErrorsOf, formText } from '../form-body.js';
import { idText } from '../../http/params.js';
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

/** What staff do from these pages: pay an order, renew a subscription, retry or cancel a license's renewal. */
export interface OrderWebActions {
  orders: OrderService;
  renewals: RenewalService;
  workedOperations: WorkedOperationService;
  /** The periods a plan sells (months), for the Renew form. */
  periodsOf(planId: number): Promise<number[]>;
}

const notices: Record<string, string> = {
  paid: 'Payment recorded.',
  retried: 'Given back to the workers.',
  cancelled: "The license's operation is cancelled.",
};

/**
 * Orders and subscriptions. A store places and pays its orders through the API; operators can
 * record a payment, place a renewal order and retry or cancel a license's renewal here.
 */
export function orderWebRoutes({ context, actions }: { context: ConsoleReads; actions?: OrderWebActions }): Router {
  const router = Router();
  const { db, stores } = context;
  const noticeOf = (req: Request) => (typeof req.query.done === 'string' ? notices[req.query.done] : undefined);

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

  async function showOrder(
    req: Request,
    res: Response,
    id: number,
    extra: { pay?: Parameters<typeof OrderPage>[0]['pay']; notice?: string } = {},
    status = 200,
  ) {
    const order = await stores.orders.get(db, id);
    if (!order) throw new NotFoundError('order', id);
    const [customer, plans] = await Promise.all([
      stores.customers.get(db, order.customerId),
      planNames(db, [order.planId]),
    ]);
    res.status(status);
    sendPage(
      res,
      <OrderPage
        ctx={viewContext(req)}
        order={order}
        customer={customer}
        planName={plans.get(order.planId)}
        {...extra}
      />,
    );
  }

  router.get('/orders/:id', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    await showOrder(req, res, id, { notice: noticeOf(req) });
  });

  if (actions)
    router.post('/orders/:id/pay', allow(...operators), async (req, res) => {
      const { id } = validate(idParams, req.params, 'params');
      const paymentReference = formText(req.body, 'paymentReference').trim();
      if (!paymentReference || paymentReference.length > 120)
        return showOrder(
          req,
          res,
          id,
          {
            pay: {
              paymentReference,
              errors: { paymentReference: 'Enter the payment reference (at most 120 characters).' },
            },
          },
          400,
        );
      // With its customer, as the API pays: the payment's events name them without a read back.
      const found = await actions.orders.orderToPay(id);
      if (!found) throw new NotFoundError('order', id);
      try {
        await actions.orders.pay(found.order, paymentReference, actorOf(principalOf(req)), found.customer);
      } catch (err) {
        if (!(err instanceof AppError) || err.status === 404) throw err;
        return showOrder(req, res, id, { pay: { paymentReference, problem: err.message } }, err.status);
      }
      res.redirect(303, `/orders/${id}?done=paid`);
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

  async function showSubscription(
    req: Request,
    res: Response,
    id: number,
    extra: { renew?: Parameters<typeof SubscriptionPage>[0]['renew']; notice?: string } = {},
    status = 200,
  ) {
    const subscription = await context.subscriptionView.get(id);
    if (!subscription) throw new NotFoundError('subscription', id);
    const [customer, plans, configurations, periods, renewals] = await Promise.all([
      stores.customers.get(db, subscription.customerId),
      planNames(db, [subscription.planId]),
      configurationNames(
        db,
        subscription.licenseRequests.map((r) => r.configurationId),
      ),
      actions?.periodsOf(subscription.planId),
      actions?.renewals.listOf(id),
    ]);
    res.status(status);
    sendPage(
      res,
      <SubscriptionPage
        ctx={viewContext(req)}
        subscription={subscription}
        customer={customer}
        planName={plans.get(subscription.planId)}
        configurations={configurations}
        renewals={renewals}
        periods={periods}
        {...extra}
        done={typeof req.query.done === 'string' ? req.query.done : undefined}
      />,
    );
  }

  router.get('/subscriptions/:id', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    await showSubscription(req, res, id, { notice: noticeOf(req) });
  });

  if (actions) {
    router.post('/subscriptions/:id/renewals', allow(...operators), async (req, res) => {
      const { id } = validate(idParams, req.params, 'params');
      const period = formText(req.body, 'period');
      const reference = formText(req.body, 'reference').trim();
      if (!reference || reference.length > 120 || !/^\d+$/.test(period))
        return showSubscription(
          req,
          res,
          id,
          {
            renew: {
              period,
              reference,
              errors: reference
                ? { period: 'Choose a period.' }
                : { reference: 'Enter an order reference (at most 120 characters).' },
            },
          },
          400,
        );
      let orderId: number;
      try {
        ({
          order: { id: orderId },
        } = await actions.renewals.request(id, { period: Number(period), reference }, actorOf(principalOf(req)), null));
      } catch (err) {
        if (!(err instanceof AppError) || err.status === 404) throw err;
        const form = formErrorsOf(err);
        return showSubscription(
          req,
          res,
          id,
          { renew: { period, reference, errors: form?.errors, problem: form?.problem ?? err.message } },
          err.status,
        );
      }
      res.redirect(303, `/orders/${orderId}`);
    });

    for (const action of ['retry', 'cancel'] as const)
      router.post(
        `/subscriptions/:id/license-operations/:operationId/${action}`,
        allow(...operators),
        async (req, res) => {
          const { id, operationId } = validate(idParams.extend({ operationId: idText }), req.params, 'params');
          const actor = actorOf(principalOf(req));
          try {
            if (action === 'retry') await actions.workedOperations.retry(operationId, actor);
            else await actions.workedOperations.cancel(operationId, actor);
          } catch (err) {
            if (!(err instanceof AppError) || err.status === 404) throw err;
            return showSubscription(req, res, id, { renew: { problem: err.message } }, err.status);
          }
          res.redirect(303, `/subscriptions/${id}?done=${action === 'retry' ? 'retried' : 'cancelled'}`);
        },
      );
  }

  return router;
}
