import type { DbOrTx } from '../../infra/db/database.js';
import type { NewService, NewSubscription, SubscriptionWriter } from './subscription-port.js';
import type { Subscription, SubscriptionService } from './subscription.js';
import { addMonths } from './term-dates.js';

/** What the fake keeps of a subscription and its services. */
export interface FakeSubscription extends NewSubscription {
  id: number;
  services: Array<NewService & { id: number; state: 'pending' | 'ready' }>;
}

/** Subscriptions in memory, for unit tests of what a payment creates. */
export class FakeSubscriptionStore implements SubscriptionWriter {
  readonly subscriptions = new Map<number, FakeSubscription>();
  private nextServiceId = 1;

  async insertMany(_db: DbOrTx, inputs: readonly NewSubscription[]): Promise<Subscription[]> {
    return inputs.map((input) => {
      const id = this.subscriptions.size + 1;
      this.subscriptions.set(id, { ...input, id, services: [] });
      return {
        id,
        orderId: input.orderId,
        customerId: input.customerId,
        planId: input.planId,
        period: input.period,
        state: input.state,
        startsAt: new Date(input.now).toISOString(),
        expiresAt: new Date(addMonths(input.now, input.period)).toISOString(),
        autoRenew: true,
        createdAt: new Date(input.now).toISOString(),
        cancelsAt: null,
        cancelledAt: null,
      };
    });
  }

  async insertServicesOfMany(
    _db: DbOrTx,
    subscriptions: ReadonlyArray<{ subscriptionId: number; services: NewService[]; readyKeys: ReadonlySet<string> }>,
  ): Promise<SubscriptionService[][]> {
    return subscriptions.map(({ subscriptionId, services, readyKeys }) => {
      const subscription = this.subscriptions.get(subscriptionId);
      if (!subscription) throw new Error(`no subscription ${subscriptionId}`);
      return services.map((s) => {
        const id = this.nextServiceId++;
        const state = readyKeys.has(s.key) ? 'ready' : 'pending';
        subscription.services.push({ ...s, id, state });
        const { key, kind, provisioner, dependsOn } = s;
        return { id, key, kind, provisioner, state, dependsOn, lastError: null, readyAt: null };
      });
    });
  }

  /** The subscription made for an order (the knex order store finds it by a join). */
  ofOrder(orderId: number): number | null {
    return [...this.subscriptions.values()].find((s) => s.orderId === orderId)?.id ?? null;
  }
}
