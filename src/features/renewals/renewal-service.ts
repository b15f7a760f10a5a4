import { ConflictError, NotFoundError } from '../../errors/app-error.js';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import type { TransitionEventWriter } from '../audit/transition.js';
import { enqueueOperation } from '../licenses/license-operation-jobs.js';
import type { WorkedOperationService, WorkedOperationView } from '../licenses/worked-operation-service.js';
import type { Order, OrderService } from '../orders/order-service.js';
import type { RenewalPayment } from '../orders/renewal-payment.js';
import { addMonths } from '../subscriptions/term-dates.js';
import type { RenewalMigrations, RenewalOperations, RenewedLicenses, RenewedSubscriptions } from './renewal-ports.js';
import type { RenewalStore, SubscriptionRenewal } from './renewal-store.js';

export interface RenewalServiceDeps {
  db: Db;
  renewals: RenewalStore;
  subscriptions: RenewedSubscriptions;
  licenses: RenewedLicenses;
  operations: RenewalOperations;
  /** Staff's view of the operations (state, reason) for a renewal's page. */
  operationViews: WorkedOperationService;
  orders: OrderService;
  events: TransitionEventWriter;
  queue: JobQueue;
  /** Licenses migrating at this renewal are issued on the new server, not renewed (absent: none). */
  migrations?: RenewalMigrations;
}

/** What a renewal is asked with. */
export interface RenewalRequest {
  /** Months to add to the subscription's current expiry; one of the plan's periods. */
  period: number;
  /** The caller's reference: the same one answers the same order. */
  reference: string;
}

/** A paid renewal with its order and the per-license operations it made. */
export interface RenewalView extends SubscriptionRenewal {
  licenses: WorkedOperationView[];
}

/** The kind of worker-run license operation a renewal makes, and the cause type its operations carry. */
export const renewalOperationKind = 'renew';
export const renewalCause = 'renewal';

/**
 * Renewals of subscriptions (DOMAIN.md, "Terms and renewals"): a renewal is an order of kind
 * `renewal`, paid with the same call as any order. Paying it renews, in the payment's
 * transaction, the subscription by the period **from its current expiry** (also when renewed
 * early or in grace), and makes one worker-run `renew` operation per license, which the
 * workers run at the KAs (`RenewOperation`) after the commit.
 */
export class RenewalService implements RenewalPayment {
  constructor(private readonly deps: RenewalServiceDeps) {}

  /**
   * Places the renewal order of a subscription (`created: false` when the reference was used
   * for the same renewal before; 409 when for anything else). The caller checked the
   * subscription is within its reach.
   */
  async request(
    subscriptionId: number,
    input: RenewalRequest,
    actor: Actor,
    placedByTokenId: number | null,
  ): Promise<{ order: Order; created: boolean }> {
    const subscription = await this.deps.subscriptions.get(this.deps.db, subscriptionId);
    if (!subscription) throw new NotFoundError('subscription', subscriptionId);
    if (subscription.state !== 'active')
      throw new ConflictError(
        `Subscription ${subscriptionId} is ${subscription.state}: ${whenRenewable[subscription.state] ?? 'only an active subscription is renewed'}`,
        'invalid_state',
        { details: { state: subscription.state } },
      );
    if (subscription.cancelsAt) throw cancelPending(subscriptionId, subscription.cancelsAt);
    return this.deps.orders.placeRenewal(
      {
        subscriptionId,
        customerId: subscription.customerId,
        planId: subscription.planId,
        period: input.period,
        reference: input.reference,
        placedByTokenId,
      },
      actor,
    );
  }

  /**
   * Places and pays a renewal in one call (auto-renew when Keyway takes the payment as made):
   * idempotent on `reference` and `paymentReference` like the two calls it makes.
   */
  async renewAndPay(
    subscriptionId: number,
    input: RenewalRequest & { paymentReference: string },
    actor: Actor,
    placedByTokenId: number | null = null,
  ): Promise<{ order: Order; created: boolean }> {
    const { order } = await this.request(subscriptionId, input, actor, placedByTokenId);
    const paid = await this.deps.orders.pay(order, input.paymentReference, actor);
    return { order: paid.order, created: paid.created };
  }

  /** `RenewalPayment`: the subscription's term moves and its licenses' renewals are made, in the payment's transaction. */
  async paid(
    tx: DbOrTx,
    order: Order,
    now: number,
    actor: Actor,
  ): Promise<{ audit: AuditEventInput[]; after(): Promise<void> }> {
    const subscriptionId = order.subscriptionId as number;
    const term = await this.deps.subscriptions.lockTerm(tx, subscriptionId);
    if (!term) throw new NotFoundError('subscription', subscriptionId);
    // Placed before the subscription was cancelled (or its cancel asked for): not paid now.
    if (term.state === 'cancelled')
      throw new ConflictError(`Subscription ${subscriptionId} is cancelled; it cannot be renewed`, 'invalid_state', {
        details: { state: term.state },
      });
    if (term.cancelAt) throw cancelPending(subscriptionId, new Date(term.cancelAt).toISOString());
    const from = term.expiresAt;
    const to = addMonths(from, order.period);
    if (!(await this.deps.subscriptions.extendTerm(tx, subscriptionId, from, to)))
      throw new ConflictError(
        `The term of subscription ${subscriptionId} changed while renewal order ${order.id} was paid; pay again`,
        'concurrent_change',
      );
    const renewalId = await this.deps.renewals.insert(tx, {
      subscriptionId,
      orderId: order.id,
      periodMonths: order.period,
      from,
      to,
      now,
    });
    const iso = (ms: number) => new Date(ms).toISOString();
    const audit: AuditEventInput[] = [
      {
        actor,
        action: 'subscription.renewed',
        entityType: 'subscription',
        entityId: subscriptionId,
        data: {
          orderId: order.id,
          renewalId,
          periodMonths: order.period,
          previousExpiresAt: iso(from),
          expiresAt: iso(to),
        },
      },
    ];
    const operationIds: number[] = [];
    // A terminated key is not renewed, nor an additional key with an expiry of its own; every
    // other license of the subscription is (an additional key that renews with it included),
    // unless it waits for this renewal to move to a new server: there the renewed term is issued instead.
    const live = (await this.deps.licenses.listBySubscription(tx, subscriptionId)).filter(
      (l) => l.status !== 'terminated' && !(l.keyType === 'additional' && l.renewsWithSubscription === false),
    );
    const migrations = await this.deps.migrations?.renewedOnNewServer(
      tx,
      live.map((l) => l.id),
      { periodMonths: order.period, termEndsAt: to },
      actor,
    );
    const licenses = live.filter((l) => !migrations?.migrating.has(l.id));
    for (const license of licenses) {
      const id = await this.deps.operations.insert(tx, {
        licenseId: license.id,
        kind: renewalOperationKind,
        parameters: { periodMonths: order.period, termEndsAt: iso(to), renewalId, orderId: order.id },
        actor,
        cause: { type: renewalCause, id: renewalId },
        now,
      });
      operationIds.push(id);
      audit.push({
        actor,
        action: 'license_operation.created',
        entityType: 'license_operation',
        entityId: id,
        toState: 'pending',
        data: { licenseId: license.id, keyNumber: license.keyNumber, kind: renewalOperationKind, renewalId },
      });
    }
    await this.deps.events.write(tx, {
      type: 'subscription.renewed',
      payload: { previousExpiresAt: iso(from), periodMonths: order.period, orderId: order.id, renewalId },
      entityType: 'subscription',
      entityId: subscriptionId,
    });
    return {
      audit,
      after: async () => {
        for (const id of operationIds) await enqueueOperation(this.deps.queue, id, 'pending', 0);
        await migrations?.after();
      },
    };
  }

  /** A subscription's renewals, newest first, each with its license operations. */
  async listOf(subscriptionId: number): Promise<RenewalView[]> {
    const renewals = await this.deps.renewals.listOf(this.deps.db, subscriptionId);
    const operations = await this.deps.operationViews.ofCause(
      renewalCause,
      renewals.map((r) => r.id),
    );
    return renewals.map((r) => ({
      ...r,
      licenses: operations.filter((o) => o.cause?.id === r.id),
    }));
  }
}

const whenRenewable: Record<string, string> = {
  provisioning: 'it is renewed once its licenses are issued',
  suspended: 'resume it before renewing it',
  cancelled: 'a cancelled subscription is not renewed',
};

/** 409: a cancel at the term's end is pending; a renewal would contradict it until it is withdrawn. */
function cancelPending(subscriptionId: number, cancelsAt: string): ConflictError {
  return new ConflictError(
    `Subscription ${subscriptionId} cancels on ${cancelsAt}; withdraw the cancel (POST /subscriptions/${subscriptionId}/cancel/withdraw) before renewing it`,
    'cancel_pending',
    { details: { cancelsAt } },
  );
}
