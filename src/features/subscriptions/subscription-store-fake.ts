import type { DbOrTx } from '../../infra/db/database.js';
import type { NewService, NewSubscription, SubscriptionWriter } from './subscription-port.js';

/** What the fake keeps of a subscription and its services. */
export interface FakeSubscription extends NewSubscription {
  id: number;
  services: Array<NewService & { id: number; state: 'pending' | 'ready' }>;
}

/** Subscriptions in memory, for unit tests of what a payment creates. */
export class FakeSubscriptionStore implements SubscriptionWriter {
  readonly subscriptions = new Map<number, FakeSubscription>();
  private nextServiceId = 1;

  async insert(_db: DbOrTx, input: NewSubscription): Promise<number> {
    const id = this.subscriptions.size + 1;
    this.subscriptions.set(id, { ...input, id, services: [] });
    return id;
  }

  async insertServices(
    _db: DbOrTx,
    subscriptionId: number,
    services: NewService[],
    _now: number,
    readyKeys: ReadonlySet<string> = new Set(),
  ): Promise<Map<string, number>> {
    const subscription = this.subscriptions.get(subscriptionId);
    if (!subscription) throw new Error(`no subscription ${subscriptionId}`);
    const ids = new Map<string, number>();
    for (const s of services) {
      const id = this.nextServiceId++;
      subscription.services.push({ ...s, id, state: readyKeys.has(s.key) ? 'ready' : 'pending' });
      ids.set(s.key, id);
    }
    return ids;
  }

  /** The subscription made for an order (the knex order store finds it by a join). */
  ofOrder(orderId: number): number | null {
    return [...this.subscriptions.values()].find((s) => s.orderId === orderId)?.id ?? null;
  }
}
