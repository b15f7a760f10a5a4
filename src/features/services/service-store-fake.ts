import type { DbOrTx } from '../../infra/db/database.js';
import { GuardedMove } from '../audit/transition.js';
import type { Service, ServiceError, ServiceState } from './service.js';
import type { ServiceGuard, ServiceStore } from './service-store.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * `ServiceStore` in memory, for unit tests of the provisioning decisions (passes the service
 * store contract). `addSubscription` and `add` make what a payment would have made.
 */
export class FakeServiceStore implements ServiceStore {
  private readonly services = new Map<number, Service>();
  private readonly subscriptions = new Map<number, string>();

  addSubscription(state: 'provisioning' | 'active' = 'provisioning'): number {
    const id = this.subscriptions.size + 1;
    this.subscriptions.set(id, state);
    return id;
  }

  add(subscriptionId: number, service: Partial<Service> & { key: string }): Service {
    const id = this.services.size + 1;
    const stored: Service = {
      id,
      subscriptionId,
      kind: 'web',
      provisioner: 'instant',
      state: 'pending',
      settings: {},
      dependsOn: [],
      attempts: 0,
      nextAttemptAt: null,
      lastError: null,
      readyAt: null,
      createdAt: iso(0) as string,
      updatedAt: iso(0) as string,
      ...service,
    };
    this.services.set(id, stored);
    return stored;
  }

  async get(_db: DbOrTx, id: number): Promise<Service | undefined> {
    const service = this.services.get(id);
    return service && { ...service };
  }

  async listBySubscription(_db: DbOrTx, subscriptionId: number): Promise<Service[]> {
    return [...this.services.values()].filter((s) => s.subscriptionId === subscriptionId).map((s) => ({ ...s }));
  }

  async listDue(_db: DbOrTx, now: number, limit: number, afterId = 0): Promise<Service[]> {
    const due = (s: Service) =>
      (s.state === 'pending' && (s.nextAttemptAt === null || Date.parse(s.nextAttemptAt) <= now)) ||
      (s.state === 'provisioning' && s.nextAttemptAt !== null && Date.parse(s.nextAttemptAt) <= now);
    return [...this.services.values()]
      .filter((s) => s.id > afterId && due(s))
      .slice(0, limit)
      .map((s) => ({ ...s }));
  }

  async listSubscriptionsAllReady(_db: DbOrTx, limit = 1000): Promise<number[]> {
    return [...this.subscriptions.entries()]
      .filter(
        ([id, state]) =>
          state === 'provisioning' &&
          [...this.services.values()].every((s) => s.subscriptionId !== id || s.state === 'ready'),
      )
      .map(([id]) => id)
      .slice(0, limit);
  }

  async subscriptionState(_db: DbOrTx, subscriptionId: number): Promise<string | undefined> {
    return this.subscriptions.get(subscriptionId);
  }

  /** What the subscriptions feature does when it releases one (`provisioning → active`). */
  activate(subscriptionId: number): void {
    this.subscriptions.set(subscriptionId, 'active');
  }

  claim(guard: ServiceGuard, leaseUntil: number, now: number): GuardedMove {
    return this.move(guard, 'provisioning', now, (s) => ({ attempts: s.attempts + 1, nextAttemptAt: iso(leaseUntil) }));
  }

  markReady(guard: ServiceGuard, now: number): GuardedMove {
    return this.move(guard, 'ready', now, () => ({ readyAt: iso(now), nextAttemptAt: null, lastError: null }));
  }

  markWaiting(guard: ServiceGuard, now: number): GuardedMove {
    return this.move(guard, 'waiting', now, () => ({ nextAttemptAt: null, lastError: null }));
  }

  scheduleRetry(guard: ServiceGuard, error: ServiceError, nextAttemptAt: number, now: number): GuardedMove {
    return this.move(guard, 'pending', now, () => ({ nextAttemptAt: iso(nextAttemptAt), lastError: error }));
  }

  markFailed(guard: ServiceGuard, error: ServiceError, now: number): GuardedMove {
    return this.move(guard, 'failed', now, () => ({ nextAttemptAt: null, lastError: error }));
  }

  reset(guard: ServiceGuard, now: number): GuardedMove {
    return this.move(guard, 'pending', now, () => ({ attempts: 0, nextAttemptAt: iso(now) }));
  }

  private move(
    guard: ServiceGuard,
    to: ServiceState,
    now: number,
    changes: (s: Service) => Partial<Service>,
  ): GuardedMove {
    return new GuardedMove('service', guard.id, guard.state, to, async () => {
      const s = this.services.get(guard.id);
      if (!s || s.state !== guard.state || (guard.attempts !== undefined && s.attempts !== guard.attempts))
        return undefined;
      this.services.set(guard.id, { ...s, ...changes(s), state: to, updatedAt: iso(now) as string });
      return true;
    });
  }
}
