import { ConflictError, NotFoundError, ValidationError } from '../../errors/app-error.js';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import { isUniqueViolation, transaction } from '../../infra/db/transaction.js';
import { BatchGate } from '../../infra/db/batch-gate.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditWriter } from '../audit/audit-store.js';
import { applyTransition, type TransitionEventWriter } from '../audit/transition.js';
import type { CustomerReader } from '../customers/customer-reader.js';
import type { LicenseRequestWriter } from '../license-requests/license-request-port.js';
import type { PlanReader } from '../plans/plan-reader.js';
import type { SubscriptionWriter } from '../subscriptions/subscription-port.js';
import { NewOrderPayments, paymentBatchMax } from './new-order-payments.js';
import { type LicenseQuantity, resolveLicenseQuantities, sameQuantities } from './order-quantities.js';
import type { Order, OrderCustomer, OrderStore } from './order-store.js';
import type { CreatedSubscription, PaymentResult, PaymentSnapshots } from './payment-result.js';
import type { RenewalPayment } from './renewal-payment.js';

/** The order as the service answers it, for features above that hold one (renewals). */
export type { Order } from './order-store.js';

/** A renewal order: a period for a running subscription, idempotent on its reference. */
export interface PlaceRenewalInput {
  subscriptionId: number;
  customerId: number;
  planId: number;
  period: number;
  reference: string;
  placedByTokenId: number | null;
}

/** A change order: a license's new quantity in packs, idempotent on its reference. */
export interface PlaceChangeInput {
  subscriptionId: number;
  customerId: number;
  planId: number;
  period: number;
  licenseId: number;
  quantity: number;
  kind: 'upgrade' | 'downgrade';
  reference: string;
  placedByTokenId: number | null;
}

export interface PlaceOrderInput {
  customerId: number;
  planId: number;
  period: number;
  reference: string;
  /** The store placing it (its token id), null for staff: the namespace of `reference` and the customers it may order for. */
  placedByTokenId: number | null;
  /** Packs of the plan's one counted license product. */
  quantity?: number;
  /** Packs per counted license product, by its id in the plan. */
  licenseQuantities?: LicenseQuantity[];
}

export type { CreatedSubscription, PaymentResult, PaymentSnapshots, WrittenSubscription } from './payment-result.js';

export interface OrderServiceDeps {
  db: Db;
  orders: OrderStore;
  plans: PlanReader;
  customers: CustomerReader;
  subscriptions: SubscriptionWriter;
  licenseRequests: LicenseRequestWriter;
  audit: AuditWriter;
  /** The outbox, written with the payment. */
  events: TransitionEventWriter;
  /**
   * Runs after the payment transaction committed: starts service provisioning, or, when every
   * service was ready at creation, hands the ready license requests to the pipeline.
   */
  onSubscriptionCreated(created: CreatedSubscription): Promise<void>;
  /** Without it, the events' snapshots are read back in the payment's transaction. */
  paymentSnapshots?: PaymentSnapshots;
  /** Paying a renewal order renews its subscription (the renewals feature, connected by the root). */
  renewals?: RenewalPayment;
  /** Paying an upgrade or downgrade order changes its license's quantity (the quantity-changes feature). */
  changes?: RenewalPayment;
  now?: () => number;
}

export class OrderService {
  private readonly now: () => number;
  private readonly newPayments: NewOrderPayments;
  /** Concurrent payments' reads of their orders, one query for a batch. */
  private readonly payReads: BatchGate<number, { order: Order; customer: OrderCustomer } | undefined>;
  constructor(private readonly deps: OrderServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.newPayments = new NewOrderPayments({ ...deps, now: this.now });
    this.payReads = new BatchGate(async (ids) => {
      const found = await deps.orders.getManyWithCustomer(deps.db, ids);
      return ids.map((id) => ({ status: 'fulfilled', value: found.get(id) }));
    }, paymentBatchMax);
  }

  /**
   * The order a payment is for, with its customer (for its events), or undefined when there is
   * no such order: what a caller of `pay` reads first. Reads of concurrent payments go together
   * in one query.
   */
  orderToPay(id: number): Promise<{ order: Order; customer: OrderCustomer } | undefined> {
    return this.payReads.submit(id);
  }

  /**
   * Idempotent on `reference` within the placer's namespace: the same order again answers the
   * existing one (`created: false`). A store's references are its own, and it orders only for
   * its own customers; another store's reference or customer is as unknown as one never used.
   */
  async place(input: PlaceOrderInput, actor: Actor): Promise<{ order: Order; created: boolean }> {
    const { db, orders } = this.deps;
    const [customer, plan] = await Promise.all([
      this.deps.customers.get(db, input.customerId, input.placedByTokenId),
      this.deps.plans.get(db, input.planId),
    ]);
    const fields = [];
    if (!customer) fields.push({ field: 'customerId', message: `customer ${input.customerId} does not exist` });
    if (!plan) fields.push({ field: 'planId', message: `plan ${input.planId} does not exist` });
    else if (!plan.periods.includes(input.period))
      fields.push({ field: 'period', message: `plan ${plan.code} is sold for ${plan.periods.join(', ')} months` });
    if (fields.length) throw ValidationError.forFields(fields);
    const licenseQuantities = resolveLicenseQuantities(plan as NonNullable<typeof plan>, input);
    const existing = await orders.getByReference(db, input.placedByTokenId, input.reference);
    if (existing) return { order: this.sameOrConflict(existing, input, licenseQuantities), created: false };
    return this.insertOnce(
      input,
      (order) => this.sameOrConflict(order, input, licenseQuantities),
      (tx) => orders.insert(tx, { ...input, licenseQuantities }),
      { actor, data: { reference: input.reference, ...(licenseQuantities.length ? { licenseQuantities } : {}) } },
    );
  }

  /**
   * Places an order of kind `renewal` for a subscription (its customer and plan; the period
   * must be one the plan sells). Idempotent on `reference` in the placer's namespace: the same
   * renewal again answers the existing order (`created: false`); the reference used for
   * anything else is a 409.
   */
  async placeRenewal(input: PlaceRenewalInput, actor: Actor): Promise<{ order: Order; created: boolean }> {
    const { db, orders } = this.deps;
    const same = (order: Order) => {
      if (order.kind !== 'renewal' || order.subscriptionId !== input.subscriptionId || order.period !== input.period)
        throw new ConflictError(
          `Order reference ${input.reference} was used for a different order`,
          'reference_reused',
          {
            details: { field: 'reference', orderId: order.id },
          },
        );
      return order;
    };
    const existing = await orders.getByReference(db, input.placedByTokenId, input.reference);
    if (existing) return { order: same(existing), created: false };
    const plan = await this.deps.plans.get(db, input.planId);
    if (plan && !plan.periods.includes(input.period))
      throw ValidationError.forFields([
        { field: 'period', message: `plan ${plan.code} is sold for ${plan.periods.join(', ')} months` },
      ]);
    return this.insertOnce(
      input,
      same,
      (tx) => orders.insert(tx, { ...input, renews: { subscriptionId: input.subscriptionId } }),
      {
        actor,
        data: {
          reference: input.reference,
          kind: 'renewal',
          subscriptionId: input.subscriptionId,
          period: input.period,
        },
      },
    );
  }

  /**
   * Places an order of kind `upgrade` or `downgrade`: a license of a running subscription to
   * `quantity` packs. Idempotent on `reference` in the placer's namespace like any order; the
   * reference used for anything else is a 409. The caller checked what the change may be.
   */
  async placeChange(input: PlaceChangeInput, actor: Actor): Promise<{ order: Order; created: boolean }> {
    const { db, orders } = this.deps;
    const same = (order: Order) => {
      if (
        order.kind !== input.kind ||
        order.subscriptionId !== input.subscriptionId ||
        order.change?.licenseId !== input.licenseId ||
        order.change.quantity !== input.quantity
      )
        throw new ConflictError(
          `Order reference ${input.reference} was used for a different order`,
          'reference_reused',
          { details: { field: 'reference', orderId: order.id } },
        );
      return order;
    };
    const existing = await orders.getByReference(db, input.placedByTokenId, input.reference);
    if (existing) return { order: same(existing), created: false };
    return this.insertOnce(
      input,
      same,
      (tx) =>
        orders.insert(tx, {
          ...input,
          changes: {
            subscriptionId: input.subscriptionId,
            kind: input.kind,
            licenseId: input.licenseId,
            quantity: input.quantity,
          },
        }),
      {
        actor,
        data: {
          reference: input.reference,
          kind: input.kind,
          subscriptionId: input.subscriptionId,
          licenseId: input.licenseId,
          quantity: input.quantity,
        },
      },
    );
  }

  /**
   * Inserts an order with its `order.placed` audit event in one transaction. Two clients racing
   * with one reference: the loser answers the winner's order, if it is the same order (`same`).
   */
  private async insertOnce(
    key: { placedByTokenId: number | null; reference: string },
    same: (order: Order) => Order,
    insert: (tx: DbOrTx) => Promise<number>,
    placed: { actor: Actor; data: Record<string, unknown> },
  ): Promise<{ order: Order; created: boolean }> {
    const { db, orders } = this.deps;
    try {
      const id = await transaction(db, async (tx) => {
        const orderId = await insert(tx);
        await this.deps.audit.record(tx, {
          actor: placed.actor,
          action: 'order.placed',
          entityType: 'order',
          entityId: orderId,
          toState: 'placed',
          data: placed.data,
        });
        return orderId;
      });
      return { order: (await orders.get(db, id)) as Order, created: true };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const winner = await orders.getByReference(db, key.placedByTokenId, key.reference);
      if (!winner) throw err;
      return { order: same(winner), created: false };
    }
  }

  private sameOrConflict(order: Order, input: PlaceOrderInput, licenseQuantities: LicenseQuantity[]): Order {
    if (order.kind !== 'new')
      throw new ConflictError(`Order reference ${input.reference} was used for a ${order.kind}`, 'reference_reused', {
        details: { field: 'reference', orderId: order.id },
      });
    if (
      order.customerId !== input.customerId ||
      order.planId !== input.planId ||
      order.period !== input.period ||
      !sameQuantities(order.licenseQuantities, licenseQuantities)
    ) {
      throw new ConflictError(`Order reference ${input.reference} was used for a different order`, 'reference_reused', {
        details: { field: 'reference', orderId: order.id },
      });
    }
    return order;
  }

  /**
   * Pays an order: in one transaction the order is paid and its subscription, services and
   * license requests are created. Paying again is a no-op answering the same subscription.
   * `order` is as the caller just read it: what it buys never changes once placed, and its
   * state may be stale, since the payment is a guarded update (a payment that lost it answers
   * a fresh read). `customer`, read with it, lets the events name the customer without a read
   * in the transaction (a rename committed in between shows in the next event).
   */
  async pay(order: Order, paymentReference: string, actor: Actor, customer?: OrderCustomer): Promise<PaymentResult> {
    if (order.kind === 'renewal')
      return this.payThrough(this.deps.renewals, 'renewals', order, paymentReference, actor, { period: order.period });
    if (order.kind === 'upgrade' || order.kind === 'downgrade')
      return this.payThrough(this.deps.changes, 'changes', order, paymentReference, actor, { ...order.change });
    const outcome = await this.newPayments.pay({ order, paymentReference, actor, customer });
    if (outcome.paid) {
      await this.deps.onSubscriptionCreated(outcome.created);
      return {
        order: outcome.order,
        subscriptionId: outcome.created.subscriptionId,
        created: true,
        written: outcome.written,
      };
    }
    const current = await this.alreadyPaid(order.id, paymentReference);
    return { order: current, subscriptionId: current.subscriptionId as number, created: false };
  }

  /**
   * The order a payment found no longer `placed`: a 409 when it was cancelled or paid with
   * another reference; the order as it is when this same payment was recorded before.
   */
  private async alreadyPaid(orderId: number, paymentReference: string): Promise<Order> {
    const current = (await this.deps.orders.get(this.deps.db, orderId)) as Order;
    if (current.state === 'cancelled')
      throw new ConflictError(`Order ${orderId} is cancelled and cannot be paid`, 'order_cancelled');
    if (current.paymentReference !== paymentReference)
      throw new ConflictError(`Order ${orderId} was already paid with another payment reference`, 'already_paid', {
        details: { field: 'paymentReference' },
      });
    return current;
  }

  /**
   * Pays an order for a running subscription (a renewal, a change of quantity): in one
   * transaction the order is paid and the feature that owns its kind acts (`RenewalPayment.paid`:
   * the subscription renewed, a license's quantity change made); then that feature's work goes
   * to the workers. Paying again is a no-op answering the same subscription; another payment
   * reference is a 409.
   */
  private async payThrough(
    port: RenewalPayment | undefined,
    portName: 'renewals' | 'changes',
    order: Order,
    paymentReference: string,
    actor: Actor,
    about: Record<string, unknown>,
  ): Promise<PaymentResult> {
    const { db, orders } = this.deps;
    if (!port) throw new Error(`${order.kind} orders are not wired (OrderServiceDeps.${portName})`);
    const now = this.now();
    const subscriptionId = order.subscriptionId as number;
    let after: (() => Promise<void>) | undefined;
    await applyTransition(db, this.deps, orders.markPaid(order.id, paymentReference, now), async (tx) => {
      const renewed = await port.paid(tx, order, now, actor);
      after = renewed.after;
      await this.deps.events.write(tx, { type: 'order.paid', payload: {}, entityType: 'order', entityId: order.id });
      return {
        actor,
        action: 'order.paid',
        data: { paymentReference, subscriptionId, kind: order.kind, ...about },
        also: renewed.audit,
      };
    });
    if (after) {
      // Committed: a lost enqueue is found by the reconciler, it must not fail the payment.
      await after().catch(() => undefined);
      const paid: Order = { ...order, state: 'paid', paymentReference, paidAt: new Date(now).toISOString() };
      return { order: paid, subscriptionId, created: true };
    }
    return { order: await this.alreadyPaid(order.id, paymentReference), subscriptionId, created: false };
  }

  async cancel(orderId: number, actor: Actor): Promise<Order> {
    const { db, orders } = this.deps;
    const order = await orders.get(db, orderId);
    if (!order) throw new NotFoundError('order', orderId);
    const won = await applyTransition(db, this.deps, orders.markCancelled(orderId, this.now()), {
      actor,
      action: 'order.cancelled',
    });
    const current = (await orders.get(db, orderId)) as Order;
    if (!won && current.state === 'paid')
      throw new ConflictError(`Order ${orderId} is paid; cancel its subscription's licenses instead`, 'order_paid');
    return current;
  }
}
