import { ConflictError, NotFoundError } from '../../errors/app-error.js';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import { enqueueOperation } from '../licenses/license-operation-jobs.js';
import type { WorkedOperationService, WorkedOperationView } from '../licenses/worked-operation-service.js';
import type { Order, OrderService } from '../orders/order-service.js';
import type { RenewalPayment } from '../orders/renewal-payment.js';
import type { PlanReader } from '../plans/plan-reader.js';
import type { RenewalOperations } from '../renewals/renewal-ports.js';
import type { ChangedLicenses, ChangedSubscriptions } from './quantity-change-ports.js';
import { allowedChange, productOfLicense, reservedBy } from './quantity-change-rules.js';

export interface QuantityChangeServiceDeps {
  db: Db;
  subscriptions: ChangedSubscriptions;
  licenses: ChangedLicenses;
  plans: PlanReader;
  operations: RenewalOperations;
  operationViews: WorkedOperationService;
  orders: OrderService;
  /** What the plugin of a license's KA configuration declares it can do (`changeQuantity`, ...). */
  capabilitiesOf(configurationId: number): Promise<readonly string[]>;
  queue: JobQueue;
}

/** What a change of quantity is asked with. */
export interface QuantityChangeRequest {
  licenseId: number;
  /** The new quantity, in packs of the license's plan product. */
  quantity: number;
  reference: string;
}

/** The worker-run operation a paid change makes, and the cause it carries (its order). */
export const changeQuantityKind = 'change_quantity';
export const quantityChangeCause = 'quantity_change';

/** What a `change_quantity` operation is made with. */
export interface ChangeQuantityParameters {
  /** The key's new quota in units. */
  quantity: number;
  packs: number;
  /** Its quota when the order was paid. */
  from: number;
  decrease: boolean;
  orderId: number;
}

/**
 * Buying more (or fewer) licenses of a running subscription (DOMAIN.md "Quantities, packs and
 * upgrades"): an order of kind `upgrade` or `downgrade` for one license, paid with the same
 * call as any order. Paying it makes one worker-run `change_quantity` operation, which the
 * workers run at the KA (`ChangeQuantityOperation`) and which then fetches and installs the new
 * key file. Everything Keyway can check is checked before the KA is asked: the capability, the
 * packs the plan sells, a decrease (allowed once where the plan allows it, never below what
 * additional keys reserve); at placement, and again in the payment's transaction.
 */
export class QuantityChangeService implements RenewalPayment {
  constructor(private readonly deps: QuantityChangeServiceDeps) {}

  async request(
    subscriptionId: number,
    input: QuantityChangeRequest,
    actor: Actor,
    placedByTokenId: number | null,
  ): Promise<{ order: Order; created: boolean }> {
    const { db } = this.deps;
    const subscription = await this.deps.subscriptions.get(db, subscriptionId);
    if (!subscription) throw new NotFoundError('subscription', subscriptionId);
    const license = await this.deps.licenses.get(db, input.licenseId);
    if (!license || license.subscriptionId !== subscriptionId) throw new NotFoundError('license', input.licenseId);
    if (subscription.state !== 'active')
      throw new ConflictError(
        `Subscription ${subscriptionId} is ${subscription.state}: its quantities change once its licenses are issued`,
        'invalid_state',
        { details: { state: subscription.state } },
      );
    if (!(await this.deps.capabilitiesOf(license.configurationId)).includes('changeQuantity'))
      throw new ConflictError(
        `The KA plugin of license ${license.keyNumber} cannot change a key's quantity`,
        'not_supported',
        { details: { action: 'changeQuantity' } },
      );
    const plan = await this.deps.plans.get(db, subscription.planId);
    const product = plan && productOfLicense(plan, license);
    const additional = await this.deps.licenses.listAdditional(db, license.id);
    const change = allowedChange(license, product, input.quantity, reservedBy(license, additional));
    return this.deps.orders.placeChange(
      {
        subscriptionId,
        customerId: subscription.customerId,
        planId: subscription.planId,
        // A change buys the rest of the running term: the period is the license's own.
        period: license.periodMonths ?? plan?.periods[0] ?? 12,
        licenseId: license.id,
        quantity: input.quantity,
        kind: change.kind,
        reference: input.reference,
        placedByTokenId,
      },
      actor,
    );
  }

  /** `RenewalPayment` for change orders: checked again under the license's lock, then the operation is made. */
  async paid(
    tx: DbOrTx,
    order: Order,
    now: number,
    actor: Actor,
  ): Promise<{ audit: AuditEventInput[]; after(): Promise<void> }> {
    const change = order.change;
    if (!change) throw new Error(`order ${order.id} is a ${order.kind} without its change`);
    await this.deps.licenses.lockForChange(tx, change.licenseId);
    const license = await this.deps.licenses.get(tx, change.licenseId);
    if (!license) throw new NotFoundError('license', change.licenseId);
    const plan = await this.deps.plans.get(tx, order.planId);
    const additional = await this.deps.licenses.listAdditional(tx, license.id);
    const allowed = allowedChange(
      license,
      plan && productOfLicense(plan, license),
      change.quantity,
      reservedBy(license, additional),
    );
    const parameters: ChangeQuantityParameters = {
      quantity: allowed.units,
      packs: change.quantity,
      from: allowed.from,
      decrease: allowed.kind === 'downgrade',
      orderId: order.id,
    };
    const id = await this.deps.operations.insert(tx, {
      licenseId: license.id,
      kind: changeQuantityKind,
      parameters: { ...parameters },
      actor,
      cause: { type: quantityChangeCause, id: order.id },
      now,
    });
    return {
      audit: [
        {
          actor,
          action: 'license_operation.created',
          entityType: 'license_operation',
          entityId: id,
          toState: 'pending',
          data: { licenseId: license.id, keyNumber: license.keyNumber, kind: changeQuantityKind, ...parameters },
        },
      ],
      after: () => enqueueOperation(this.deps.queue, id, 'pending', 0),
    };
  }

  /** The change operations of these orders (each order's one operation). */
  async operationsOf(orderIds: number[]): Promise<WorkedOperationView[]> {
    return this.deps.operationViews.ofCause(quantityChangeCause, orderIds);
  }
}
