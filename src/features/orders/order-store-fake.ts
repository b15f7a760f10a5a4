import type { DbOrTx } from '../../infra/db/database.js';
import { uniqueViolation } from '../../infra/db/fake-db.js';
import { GuardedBatchMove } from '../audit/batch-transition.js';
import { GuardedMove } from '../audit/transition.js';
import {
  kindOf,
  type NewOrder,
  type Order,
  type OrderCustomer,
  type OrderFilter,
  type OrderState,
  type OrderStore,
} from './order-store.js';

/**
 * `OrderStore` in memory, for unit tests of the services above it (passes the order store
 * contract). `subscriptionOf` answers an order's subscription, as the knex store's join does.
 */
export class FakeOrderStore implements OrderStore {
  private readonly orders = new Map<number, Order>();
  private nextId = 1;

  constructor(
    private readonly subscriptionOf: (orderId: number) => number | null = () => null,
    private readonly now: () => number = Date.now,
  ) {}

  async insert(_db: DbOrTx, input: NewOrder): Promise<number> {
    if (await this.getByReference(_db, input.placedByTokenId, input.reference))
      throw uniqueViolation('orders.store_scope, orders.reference');
    const id = this.nextId++;
    this.orders.set(id, {
      id,
      reference: input.reference,
      customerId: input.customerId,
      planId: input.planId,
      period: input.period,
      kind: kindOf(input),
      licenseQuantities: input.licenseQuantities ?? [],
      change: input.changes ? { licenseId: input.changes.licenseId, quantity: input.changes.quantity } : null,
      state: 'placed',
      paymentReference: null,
      subscriptionId: input.renews?.subscriptionId ?? input.changes?.subscriptionId ?? null,
      placedByTokenId: input.placedByTokenId,
      createdAt: new Date(this.now()).toISOString(),
      paidAt: null,
      cancelledAt: null,
    });
    return id;
  }

  async get(_db: DbOrTx, id: number): Promise<Order | undefined> {
    const order = this.orders.get(id);
    return order && { ...order, subscriptionId: order.subscriptionId ?? this.subscriptionOf(id) };
  }

  async getManyWithCustomer(
    db: DbOrTx,
    ids: readonly number[],
  ): Promise<Map<number, { order: Order; customer: OrderCustomer }>> {
    const found = new Map<number, { order: Order; customer: OrderCustomer }>();
    for (const id of ids) {
      const order = await this.get(db, id);
      const customer = {
        id: order?.customerId ?? 0,
        name: `customer ${order?.customerId}`,
        email: null,
        externalRef: null,
      };
      if (order) found.set(id, { order, customer });
    }
    return found;
  }

  async getByReference(db: DbOrTx, storeId: number | null, reference: string): Promise<Order | undefined> {
    const found = [...this.orders.values()].find(
      (o) => (o.placedByTokenId ?? 0) === (storeId ?? 0) && o.reference === reference,
    );
    return found && this.get(db, found.id);
  }

  async list(db: DbOrTx, filter: OrderFilter): Promise<Order[]> {
    const matching = [...this.orders.values()]
      .filter((o) => filter.customerId === undefined || o.customerId === filter.customerId)
      .filter((o) => filter.placedByTokenId === undefined || o.placedByTokenId === filter.placedByTokenId)
      .filter((o) => filter.state === undefined || o.state === filter.state)
      .filter((o) => filter.createdFromMs === undefined || Date.parse(o.createdAt) >= filter.createdFromMs)
      .filter((o) => filter.createdBeforeMs === undefined || Date.parse(o.createdAt) < filter.createdBeforeMs)
      .filter((o) => filter.beforeId === undefined || o.id < filter.beforeId)
      .sort((a, b) => b.id - a.id)
      .slice(0, filter.limit);
    return Promise.all(matching.map(async (o) => (await this.get(db, o.id)) as Order));
  }

  markPaid(id: number, paymentReference: string, now: number): GuardedMove {
    return this.move(id, 'paid', { paymentReference, paidAt: new Date(now).toISOString() });
  }

  markPaidMany(payments: ReadonlyArray<{ id: number; paymentReference: string }>, now: number): GuardedBatchMove {
    const paidAt = new Date(now).toISOString();
    return new GuardedBatchMove(
      'order',
      payments.map((p) => p.id),
      'placed',
      'paid',
      async () =>
        payments.flatMap(({ id, paymentReference }) => {
          const order = this.orders.get(id);
          if (order?.state !== 'placed') return [];
          this.orders.set(id, { ...order, paymentReference, paidAt, state: 'paid' });
          return [id];
        }),
    );
  }

  markCancelled(id: number, now: number): GuardedMove {
    return this.move(id, 'cancelled', { cancelledAt: new Date(now).toISOString() });
  }

  private move(id: number, to: OrderState, changes: Partial<Order>): GuardedMove {
    return new GuardedMove('order', id, 'placed', to, async () => {
      const order = this.orders.get(id);
      if (order?.state !== 'placed') return undefined;
      this.orders.set(id, { ...order, ...changes, state: to });
      return true;
    });
  }
}
