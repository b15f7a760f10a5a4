import type { Db } from '../../infra/db/database.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditWriter } from '../audit/audit-store.js';
import { applyTransition, type GuardedMove } from '../audit/transition.js';
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
 * The state changes of a service that carry an error or a due time, each a guarded move
 * written by `applyTransition` with its audit event.
 */
export class ServiceTransitions {
  constructor(
    private readonly db: Db,
    private readonly store: ServiceStore,
    private readonly audit: AuditWriter,
    private readonly now: () => number,
  ) {}

  /** Answers whether it won; false when the service was no longer as `guard` says. */
  async move(guard: ServiceGuard, to: ServiceState, event: TransitionEvent): Promise<boolean> {
    const now = this.now();
    let move: GuardedMove;
    if (to === 'ready') move = this.store.markReady(guard, now);
    else if (to === 'waiting') move = this.store.markWaiting(guard, now);
    else if (to === 'failed' && event.error) move = this.store.markFailed(guard, event.error, now);
    else if (to === 'pending' && event.error && event.nextAttemptAt !== undefined)
      move = this.store.scheduleRetry(guard, event.error, event.nextAttemptAt, now);
    else throw new Error(`No transition from ${guard.state} to ${to}`);
    const won = await applyTransition(this.db, { audit: this.audit }, move, {
      actor: event.actor,
      action: event.action,
      data: event.data,
      error: event.error ? { ...event.error } : undefined,
    });
    return won === true;
  }
}
