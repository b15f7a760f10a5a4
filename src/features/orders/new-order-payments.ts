import { NotFoundError } from '../../errors/app-error.js';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import { BatchGate } from '../../infra/db/batch-gate.js';
import { transaction } from '../../infra/db/transaction.js';
import { type Actor, systemActor } from '../../kernel/actor.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import { applyBatchTransition } from '../audit/batch-transition.js';
import type { TransitionEvent, TransitionWriters } from '../audit/transition.js';
import { releaseEvents } from '../license-requests/license-request-release.js';
import type { LicenseRequestWriter, NewLicenseRequest } from '../license-requests/license-request-port.js';
import type { Plan } from '../plans/plan.js';
import type { PlanReader } from '../plans/plan-reader.js';
import { readyOnCreation } from '../services/service-rules.js';
import type { SubscriptionWriter } from '../subscriptions/subscription-port.js';
import { unitsFor } from './order-quantities.js';
import type { Order, OrderCustomer, OrderStore } from './order-store.js';
import type { CreatedSubscription, PaymentSnapshots, WrittenSubscription } from './payment-result.js';

/** Payments written together at most: a batch's statements grow with it, its count of statements does not. */
export const paymentBatchMax = 64;

/** One new order's payment, as its caller read the order (and its customer, for the events). */
export interface NewOrderPayment {
  order: Order;
  paymentReference: string;
  actor: Actor;
  customer?: OrderCustomer;
}

/** What a batch did with one payment: paid it (and wrote its subscription), or lost its guard to another payment or a cancel. */
export type NewOrderPaymentOutcome =
  | { paid: true; order: Order; created: CreatedSubscription; written: WrittenSubscription }
  | { paid: false };

export interface NewOrderPaymentDeps extends TransitionWriters {
  db: Db;
  orders: OrderStore;
  plans: PlanReader;
  subscriptions: SubscriptionWriter;
  licenseRequests: LicenseRequestWriter;
  events: NonNullable<TransitionWriters['events']>;
  paymentSnapshots?: PaymentSnapshots;
  now: () => number;
}

/**
 * Paying new orders: in one transaction the orders are paid and their subscriptions, services
 * and license requests created, with every audit and outbox event of each payment.
 *
 * Concurrent payments share that transaction (`BatchGate`): a batch pays its orders with one
 * guarded update and writes each table's rows with one insert, so a burst of payments costs a
 * dozen statements in all rather than ten each. A payment alone is a batch of one. Each
 * payment's outcome is its own: an order paid or cancelled first loses only its own guard, and
 * a batch whose transaction fails is written again payment by payment.
 */
export class NewOrderPayments {
  private readonly commits: BatchGate<NewOrderPayment, NewOrderPaymentOutcome>;

  constructor(
    private readonly deps: NewOrderPaymentDeps,
    maxBatch = paymentBatchMax,
  ) {
    this.commits = new BatchGate((payments) => this.write(payments), maxBatch);
  }

  /** Writes the payment with those of its batch; answers once they committed. */
  pay(payment: NewOrderPayment): Promise<NewOrderPaymentOutcome> {
    return this.commits.submit(payment);
  }

  private async write(payments: NewOrderPayment[]): Promise<Array<PromiseSettledResult<NewOrderPaymentOutcome>>> {
    const { db } = this.deps;
    // Plans first, outside the transaction (they are cached): an order whose plan is gone fails alone.
    const plans = await Promise.allSettled(
      payments.map(async ({ order }) => {
        const plan = await this.deps.plans.get(db, order.planId);
        if (!plan) throw new NotFoundError('plan', order.planId);
        return plan;
      }),
    );
    // One payment per order goes to the move; another of the same order in this batch finds it paid, as after a race.
    const payable: Array<NewOrderPayment & { plan: Plan }> = [];
    const payableIndex = new Map<number, number>();
    plans.forEach((plan, i) => {
      const payment = payments[i] as NewOrderPayment;
      if (plan.status !== 'fulfilled' || payableIndex.has(payment.order.id)) return;
      payableIndex.set(payment.order.id, i);
      payable.push({ ...payment, plan: plan.value });
    });
    const paid = payable.length ? await transaction(db, (tx) => this.writePaid(tx, payable)) : new Map();
    return payments.map((payment, i): PromiseSettledResult<NewOrderPaymentOutcome> => {
      const plan = plans[i] as PromiseSettledResult<Plan>;
      if (plan.status === 'rejected') return plan;
      const mine = payableIndex.get(payment.order.id) === i;
      return { status: 'fulfilled', value: (mine && paid.get(payment.order.id)) || { paid: false } };
    });
  }

  /** Pays the orders whose guard holds and creates what they bought; answers each paid order's outcome by its id. */
  private async writePaid(
    tx: DbOrTx,
    payments: Array<NewOrderPayment & { plan: Plan }>,
  ): Promise<Map<number, NewOrderPaymentOutcome>> {
    const now = this.deps.now();
    const byOrder = new Map(payments.map((p) => [p.order.id, p]));
    const outcomes = new Map<number, NewOrderPaymentOutcome>();
    const move = this.deps.orders.markPaidMany(
      payments.map((p) => ({ id: p.order.id, paymentReference: p.paymentReference })),
      now,
    );
    await applyBatchTransition(tx, this.deps, move, async (tx, moved) => {
      const bought = await this.createSubscriptions(
        tx,
        moved.map((id) => byOrder.get(id) as NewOrderPayment & { plan: Plan }),
        now,
      );
      // Written here, not as the move's events, so each payment is told before the activation it caused.
      const told: Array<TransitionEvent & { entityType: string; entityId: number }> = [];
      for (const b of bought) {
        const { order, customer } = b.payment;
        const paidOrder: Order = {
          ...order,
          state: 'paid',
          paymentReference: b.payment.paymentReference,
          paidAt: new Date(now).toISOString(),
        };
        const snapshots =
          customer && this.deps.paymentSnapshots
            ? this.deps.paymentSnapshots.of({ order: paidOrder, customer, written: b.written })
            : undefined;
        told.push({
          type: 'order.paid',
          payload: {},
          entityType: 'order',
          entityId: order.id,
          snapshot: snapshots?.order,
        });
        // Active at creation (every service instant): no release follows to tell it.
        if (b.created.servicesReady)
          told.push({
            type: 'subscription.activated',
            payload: {},
            entityType: 'subscription',
            entityId: b.created.subscriptionId,
            snapshot: snapshots?.subscription,
          });
        outcomes.set(order.id, {
          paid: true,
          order: { ...paidOrder, subscriptionId: b.created.subscriptionId },
          created: b.created,
          written: b.written,
        });
      }
      const { events } = this.deps;
      if (events.writeMany) await events.writeMany(tx, told);
      else for (const event of told) await events.write(tx, event);
      const of = (orderId: number) => bought.find((b) => b.payment.order.id === orderId);
      return {
        actor: (orderId) => (byOrder.get(orderId) as NewOrderPayment).actor,
        action: 'order.paid',
        data: (orderId) => ({
          paymentReference: (byOrder.get(orderId) as NewOrderPayment).paymentReference,
          subscriptionId: of(orderId)?.created.subscriptionId,
        }),
        also: (orderId) => of(orderId)?.audit ?? [],
      };
    });
    return outcomes;
  }

  /**
   * Creates the subscriptions, their services and license requests, one insert per table;
   * answers each payment's, with the audit events to record. Services that need nothing done
   * (`instant`) are ready at once; when that is all of a plan's, its subscription is active and
   * its license requests ready in this same transaction, with the same audit trail as a
   * release by the services feature.
   */
  private async createSubscriptions(
    tx: DbOrTx,
    payments: Array<NewOrderPayment & { plan: Plan }>,
    now: number,
  ): Promise<
    Array<{
      payment: NewOrderPayment;
      created: CreatedSubscription;
      written: WrittenSubscription;
      audit: AuditEventInput[];
    }>
  > {
    const shapes = payments.map(({ plan }) => {
      const readyKeys = readyOnCreation(plan.services);
      return { readyKeys, servicesReady: readyKeys.size === plan.services.length };
    });
    const subscriptions = await this.deps.subscriptions.insertMany(
      tx,
      payments.map(({ order, plan }, i) => ({
        orderId: order.id,
        customerId: order.customerId,
        planId: plan.id,
        period: order.period,
        now,
        state: shapes[i]?.servicesReady ? 'active' : 'provisioning',
      })),
    );
    const services = await this.deps.subscriptions.insertServicesOfMany(
      tx,
      payments.map(({ plan }, i) => ({
        subscriptionId: (subscriptions[i] as (typeof subscriptions)[number]).id,
        services: plan.services,
        readyKeys: (shapes[i] as (typeof shapes)[number]).readyKeys,
      })),
      now,
    );
    const requestInputs: Array<NewLicenseRequest & { payment: number }> = payments.flatMap(({ order, plan }, i) => {
      const subscriptionId = (subscriptions[i] as (typeof subscriptions)[number]).id;
      const serviceIds = new Map((services[i] ?? []).map((s) => [s.key, s.id]));
      return plan.licenseProducts.map((product) => ({
        payment: i,
        subscriptionId,
        customerId: order.customerId,
        configurationId: product.configurationId,
        serviceId: product.serviceKey ? (serviceIds.get(product.serviceKey) ?? null) : null,
        source: 'order' as const,
        product: product.product,
        features: product.features,
        quantity: unitsFor(product, order.licenseQuantities),
        periodMonths: order.period,
        state: shapes[i]?.servicesReady ? ('ready' as const) : ('pending' as const),
      }));
    });
    const requests = await this.deps.licenseRequests.insertMany(
      tx,
      requestInputs.map(({ payment: _, ...input }) => input),
    );
    return payments.map((payment, i) => {
      const subscription = subscriptions[i] as (typeof subscriptions)[number];
      const subscriptionId = subscription.id;
      const { readyKeys, servicesReady } = shapes[i] as (typeof shapes)[number];
      const itsServices = services[i] ?? [];
      const itsRequests = requests.filter((_, r) => requestInputs[r]?.payment === i);
      const audit: AuditEventInput[] = [
        {
          actor: payment.actor,
          action: 'subscription.created',
          entityType: 'subscription',
          entityId: subscriptionId,
          toState: 'provisioning',
          data: { orderId: payment.order.id, services: payment.plan.services.length },
        },
        ...itsServices
          .filter((s) => readyKeys.has(s.key))
          .map(
            (s): AuditEventInput => ({
              actor: systemActor,
              action: 'service.ready',
              entityType: 'service',
              entityId: s.id,
              toState: 'ready',
              data: { provisioner: 'instant', key: s.key },
            }),
          ),
        ...itsRequests.map(
          (request): AuditEventInput => ({
            actor: payment.actor,
            action: 'license_request.created',
            entityType: 'license_request',
            entityId: request.id,
            toState: 'pending',
            data: { subscriptionId, product: request.product },
          }),
        ),
      ];
      const readyRequestIds = servicesReady ? itsRequests.map((r) => r.id) : [];
      if (servicesReady) audit.push(...releaseEvents(systemActor, subscriptionId, readyRequestIds, true));
      return {
        payment,
        created: { subscriptionId, servicesReady, readyRequestIds },
        written: { subscription, services: itsServices, licenseRequests: itsRequests },
        audit,
      };
    });
  }
}
