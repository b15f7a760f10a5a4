import type { DbOrTx } from '../../infra/db/database.js';
import { fromJson, toIso, toJson } from '../../infra/db/rows.js';
import { GuardedBatchMove } from '../audit/batch-transition.js';
import { type GuardedMove, knexMove } from '../audit/transition.js';
import type { LicenseQuantity } from './order-quantities.js';

export type OrderState = 'placed' | 'paid' | 'cancelled';

/**
 * `new`: paying creates a subscription; `renewal`: paying renews `subscriptionId` by `period`
 * months from its expiry; `upgrade` / `downgrade`: paying changes the quantity of one license of
 * `subscriptionId` (`change`).
 */
export type OrderKind = 'new' | 'renewal' | 'upgrade' | 'downgrade';

/** What a change order changes: a license's quantity, in packs of its plan product. */
export interface OrderChange {
  licenseId: number;
  /** The new quantity in packs (not a difference). */
  quantity: number;
}

export interface Order {
  id: number;
  reference: string;
  customerId: number;
  planId: number;
  period: number;
  kind: OrderKind;
  /** The packs asked per counted license product (`new` orders); empty: the plan's quantities. */
  licenseQuantities: LicenseQuantity[];
  /** Change orders: the license and its new quantity. */
  change: OrderChange | null;
  state: OrderState;
  paymentReference: string | null;
  /** The subscription the payment created (`new`), or the one it renews (`renewal`). */
  subscriptionId: number | null;
  placedByTokenId: number | null;
  createdAt: string;
  paidAt: string | null;
  cancelledAt: string | null;
}

interface OrderRow {
  id: number;
  reference: string;
  customer_id: number;
  plan_id: number;
  period_months: number;
  state: OrderState;
  payment_reference: string | null;
  placed_by_token_id: number | null;
  store_scope: number;
  kind?: OrderKind;
  renews_subscription_id?: number | null;
  license_quantities?: string | null;
  change_license_id?: number | null;
  change_quantity?: number | null;
  subscription_id: number | null;
  created_at: number;
  paid_at: number | null;
  cancelled_at: number | null;
}

function toOrder(row: OrderRow): Order {
  return {
    id: Number(row.id),
    reference: row.reference,
    customerId: Number(row.customer_id),
    planId: Number(row.plan_id),
    period: Number(row.period_months),
    kind: row.kind ?? 'new',
    licenseQuantities: fromJson(row.license_quantities ?? null, []),
    change:
      row.change_license_id === null || row.change_license_id === undefined
        ? null
        : { licenseId: Number(row.change_license_id), quantity: Number(row.change_quantity) },
    state: row.state,
    paymentReference: row.payment_reference,
    subscriptionId:
      row.subscription_id !== null
        ? Number(row.subscription_id)
        : row.renews_subscription_id
          ? Number(row.renews_subscription_id)
          : null,
    placedByTokenId: row.placed_by_token_id === null ? null : Number(row.placed_by_token_id),
    createdAt: toIso(row.created_at) ?? '',
    paidAt: toIso(row.paid_at),
    cancelledAt: toIso(row.cancelled_at),
  };
}

export interface OrderFilter {
  customerId?: number;
  placedByTokenId?: number;
  state?: OrderState;
  /** Placed at or after this instant (epoch ms). */
  createdFromMs?: number;
  /** Placed before this instant (epoch ms). */
  createdBeforeMs?: number;
  beforeId?: number;
  limit: number;
}

/** The namespace of references staff (and admin or operator tokens) use; a store's is its token id. */
const staffScope = 0;

/** What an order is placed with. */
export interface NewOrder {
  reference: string;
  customerId: number;
  planId: number;
  period: number;
  placedByTokenId: number | null;
  /** A renewal order names the subscription it renews; absent: a new subscription. */
  renews?: { subscriptionId: number };
  /** A change order names the subscription and the license it changes. */
  changes?: { subscriptionId: number; kind: 'upgrade' | 'downgrade' } & OrderChange;
  licenseQuantities?: LicenseQuantity[];
}

/** The kind an order is inserted with. */
export function kindOf(input: NewOrder): OrderKind {
  return input.changes ? input.changes.kind : input.renews ? 'renewal' : 'new';
}

/**
 * Orders; a store's orders (`placedByTokenId`) have references of their own, unique among its
 * orders (a second insert of one throws a unique violation, `isUniqueViolation`). Implemented
 * on knex (`KnexOrderStore`) and in memory for unit tests (`FakeOrderStore`); both pass
 * `test/contracts/order-store-contract.ts`.
 */
/** An order's customer, as its events name it. */
export interface OrderCustomer {
  id: number;
  name: string;
  email: string | null;
  externalRef: string | null;
}

export interface OrderStore {
  insert(db: DbOrTx, input: NewOrder): Promise<number>;
  get(db: DbOrTx, id: number): Promise<Order | undefined>;
  /** Orders with their customer as the events tell it, in one read, by id (an id that does not exist is absent): what paying them needs. */
  getManyWithCustomer(
    db: DbOrTx,
    ids: readonly number[],
  ): Promise<Map<number, { order: Order; customer: OrderCustomer }>>;
  /** The order with this reference among a store's orders (its token id), or among staff's (null). */
  getByReference(db: DbOrTx, storeId: number | null, reference: string): Promise<Order | undefined>;
  /** Newest first. */
  list(db: DbOrTx, filter: OrderFilter): Promise<Order[]>;
  /** `placed → paid`: wins only for the one caller that moved the order out of `placed`. */
  markPaid(id: number, paymentReference: string, now: number): GuardedMove;
  /**
   * `placed → paid` for many orders in one statement, each with its own payment reference
   * (run by `applyBatchTransition`): answers the ids this call moved; an order paid or
   * cancelled first is left out, as `markPaid` loses.
   */
  markPaidMany(payments: ReadonlyArray<{ id: number; paymentReference: string }>, now: number): GuardedBatchMove;
  /** `placed → cancelled`. */
  markCancelled(id: number, now: number): GuardedMove;
}

export class KnexOrderStore implements OrderStore {
  private select(db: DbOrTx) {
    return db<OrderRow>('orders')
      .leftJoin('subscriptions', 'subscriptions.order_id', 'orders.id')
      .select('orders.*', 'subscriptions.id as subscription_id');
  }

  async insert(db: DbOrTx, input: NewOrder): Promise<number> {
    const now = Date.now();
    const [id] = await db('orders').insert({
      reference: input.reference,
      customer_id: input.customerId,
      plan_id: input.planId,
      period_months: input.period,
      kind: kindOf(input),
      renews_subscription_id: input.renews?.subscriptionId ?? input.changes?.subscriptionId ?? null,
      license_quantities: input.licenseQuantities?.length ? toJson(input.licenseQuantities) : null,
      change_license_id: input.changes?.licenseId ?? null,
      change_quantity: input.changes?.quantity ?? null,
      state: 'placed',
      placed_by_token_id: input.placedByTokenId,
      store_scope: input.placedByTokenId ?? staffScope,
      created_at: now,
      updated_at: now,
    });
    return Number(id);
  }

  async get(db: DbOrTx, id: number): Promise<Order | undefined> {
    const row = await this.select(db).where('orders.id', id).first();
    return row ? toOrder(row) : undefined;
  }

  async getManyWithCustomer(
    db: DbOrTx,
    ids: readonly number[],
  ): Promise<Map<number, { order: Order; customer: OrderCustomer }>> {
    if (!ids.length) return new Map();
    const q = this.select(db)
      .leftJoin('customers', 'customers.id', 'orders.customer_id')
      .select(
        'customers.name as customer_name',
        'customers.email as customer_email',
        'customers.external_ref as customer_external_ref',
      );
    const rows = await (ids.length === 1 ? q.where('orders.id', ids[0]) : q.whereIn('orders.id', [...new Set(ids)]));
    return new Map(
      rows.map((row) => {
        const order = toOrder(row);
        const {
          customer_name: name,
          customer_email: email,
          customer_external_ref: externalRef,
        } = row as Record<string, string | null>;
        const customer = {
          id: order.customerId,
          name: name ?? '',
          email: email ?? null,
          externalRef: externalRef ?? null,
        };
        return [order.id, { order, customer }];
      }),
    );
  }

  async getByReference(db: DbOrTx, storeId: number | null, reference: string): Promise<Order | undefined> {
    const row = await this.select(db)
      .where({ 'orders.store_scope': storeId ?? staffScope, 'orders.reference': reference })
      .first();
    return row ? toOrder(row) : undefined;
  }

  async list(db: DbOrTx, filter: OrderFilter): Promise<Order[]> {
    const q = this.select(db).orderBy('orders.id', 'desc').limit(filter.limit);
    if (filter.customerId !== undefined) q.where('orders.customer_id', filter.customerId);
    if (filter.placedByTokenId !== undefined) q.where('orders.placed_by_token_id', filter.placedByTokenId);
    if (filter.state !== undefined) q.where('orders.state', filter.state);
    if (filter.createdFromMs !== undefined) q.where('orders.created_at', '>=', filter.createdFromMs);
    if (filter.createdBeforeMs !== undefined) q.where('orders.created_at', '<', filter.createdBeforeMs);
    if (filter.beforeId !== undefined) q.where('orders.id', '<', filter.beforeId);
    return (await q).map(toOrder);
  }

  markPaid(id: number, paymentReference: string, now: number): GuardedMove {
    return knexMove('order', 'orders', id, 'placed', 'paid', () => ({
      payment_reference: paymentReference,
      paid_at: now,
      updated_at: now,
    }));
  }

  markPaidMany(payments: ReadonlyArray<{ id: number; paymentReference: string }>, now: number): GuardedBatchMove {
    const ids = payments.map((p) => p.id);
    return new GuardedBatchMove('order', ids, 'placed', 'paid', async (db) => {
      const changed = await db('orders')
        .whereIn('id', ids)
        .where({ state: 'placed' })
        .update({
          state: 'paid',
          payment_reference: db.raw(
            `CASE id ${payments.map(() => 'WHEN ? THEN ?').join(' ')} END`,
            payments.flatMap((p) => [p.id, p.paymentReference]),
          ),
          paid_at: now,
          updated_at: now,
        });
      if (changed === ids.length) return ids;
      // Some were paid or cancelled first (rare): this update's are paid at its time with its reference.
      const rows = await db('orders').whereIn('id', ids).where({ state: 'paid', paid_at: now });
      const mine = new Map(payments.map((p) => [p.id, p.paymentReference]));
      return rows
        .filter((r: OrderRow) => mine.get(Number(r.id)) === r.payment_reference)
        .map((r: OrderRow) => Number(r.id));
    });
  }

  markCancelled(id: number, now: number): GuardedMove {
    return knexMove('order', 'orders', id, 'placed', 'cancelled', () => ({ cancelled_at: now, updated_at: now }));
  }
}
