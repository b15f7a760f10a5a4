import type { Db } from '../../infra/db/database.js';
import type { Actor } from '../audit/audit-event.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { ServiceError, ServiceState } from './service.js';
import type { ServiceGuard, ServiceStore } from './service-store.js';

export interface TransitionEvent {
  actor: Actor;
  action: string;
  data?: Record<string, unknown>;
  /** Required for `failed` and for a retry (`pending`). */
  error?: ServiceError;
  /** Required for a retry (`pending`). */
  nextAttemptAt?: number;
}

/**
 * One guarded state change of a service and its audit event, in one transaction, so the log
 * never shows a transition that did not happen (or misses one that did).
 */
export class ServiceTransitions {
  constructor(
    private readonly db: Db,
    private readonly store: ServiceStore,
    private readonly audit: AuditStore,
    private readonly now: () => number,
  ) {}

  /** Answers whether it won; false when the service was no longer as `guard` says. */
  async move(guard: ServiceGuard, to: ServiceState, event: TransitionEvent): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const now = this.now();
      let won: boolean;
      if (to === 'ready') won = await this.store.markReady(tx, guard, now);
      else if (to === 'waiting') won = await this.store.markWaiting(tx, guard, now);
      else if (to === 'failed' && event.error) won = await this.store.markFailed(tx, guard, event.error, now);
      else if (to === 'pending' && event.error && event.nextAttemptAt !== undefined)
        won = await this.store.scheduleRetry(tx, guard, event.error, event.nextAttemptAt, now);
      else throw new Error(`No transition from ${guard.state} to ${to}`);
      if (!won) return false;
      await this.audit.record(tx, {
        actor: event.actor,
        action: event.action,
        entityType: 'service',
        entityId: guard.id,
        fromState: guard.state,
        toState: to,
        data: event.data,
        error: event.error ? { ...event.error } : undefined,
      });
      return true;
    });
  }
}
