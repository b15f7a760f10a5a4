import { boundedJson } from '../../infra/db/bounded-text.js';
import type { DbOrTx } from '../../infra/db/database.js';
import { fromJson, toIso } from '../../infra/db/rows.js';
import { type GuardedMove, knexMove } from '../audit/transition.js';
import type { Service, ServiceError, ServiceState } from './service.js';

interface ServiceRow {
  id: number | string;
  subscription_id: number | string;
  key: string;
  kind: string;
  provisioner: string;
  state: ServiceState;
  settings: string;
  depends_on: string;
  attempts: number | string;
  next_attempt_at: number | string | null;
  last_error: string | null;
  ready_at: number | string | null;
  created_at: number | string;
  updated_at: number | string;
}

export function toService(row: ServiceRow): Service {
  return {
    id: Number(row.id),
    subscriptionId: Number(row.subscription_id),
    key: row.key,
    kind: row.kind,
    provisioner: row.provisioner,
    state: row.state,
    settings: fromJson(row.settings, {}),
    dependsOn: fromJson(row.depends_on, []),
    attempts: Number(row.attempts),
    nextAttemptAt: toIso(row.next_attempt_at),
    lastError: fromJson(row.last_error, null),
    readyAt: toIso(row.ready_at),
    createdAt: toIso(row.created_at) ?? '',
    updatedAt: toIso(row.updated_at) ?? '',
  };
}

/** Which row a guarded update may change: its id, its current state and, optionally, its attempt count. */
export interface ServiceGuard {
  id: number;
  state: ServiceState;
  /** The attempt a worker claimed: a worker whose lease was taken over loses its update. */
  attempts?: number;
}

/**
 * The services of subscriptions. Every state change is a guarded move (`WHERE id = ? AND
 * state = ?`, and the attempt count when the guard has one) run by `applyTransition` with its
 * audit event, so a duplicated job or a racing request changes nothing. Implemented on knex
 * (`KnexServiceStore`) and in memory (`FakeServiceStore`), both under
 * `test/contracts/service-store-contract.ts`.
 */
export interface ServiceStore {
  get(db: DbOrTx, id: number): Promise<Service | undefined>;
  listBySubscription(db: DbOrTx, subscriptionId: number): Promise<Service[]>;
  /**
   * Services the reconciler should look at, by id after `afterId`: pending and due (or never
   * scheduled), and provisioning whose worker's hold ran out.
   */
  listDue(db: DbOrTx, now: number, limit: number, afterId?: number): Promise<Service[]>;
  /** Subscriptions still provisioning although none of their services is left to do. */
  listSubscriptionsAllReady(db: DbOrTx, limit?: number): Promise<number[]>;
  subscriptionState(db: DbOrTx, subscriptionId: number): Promise<string | undefined>;
  /** pending → provisioning (or a lapsed provisioning hold taken over) until `leaseUntil`: counts the attempt. */
  claim(guard: ServiceGuard, leaseUntil: number, now: number): GuardedMove;
  markReady(guard: ServiceGuard, now: number): GuardedMove;
  markWaiting(guard: ServiceGuard, now: number): GuardedMove;
  /** provisioning → pending, due again at `nextAttemptAt`. */
  scheduleRetry(guard: ServiceGuard, error: ServiceError, nextAttemptAt: number, now: number): GuardedMove;
  markFailed(guard: ServiceGuard, error: ServiceError, now: number): GuardedMove;
  /** failed → pending with a fresh attempt budget, due now. */
  reset(guard: ServiceGuard, now: number): GuardedMove;
}

export class KnexServiceStore implements ServiceStore {
  async get(db: DbOrTx, id: number): Promise<Service | undefined> {
    const row = await db<ServiceRow>('services').where({ id }).first();
    return row ? toService(row) : undefined;
  }

  async listBySubscription(db: DbOrTx, subscriptionId: number): Promise<Service[]> {
    const rows = await db<ServiceRow>('services').where({ subscription_id: subscriptionId }).orderBy('id');
    return rows.map(toService);
  }

  /**
   * Services the reconciler should look at: pending and due (or never scheduled), and
   * provisioning whose worker's lease ran out.
   */
  async listDue(db: DbOrTx, now: number, limit: number, afterId = 0): Promise<Service[]> {
    const rows = await db<ServiceRow>('services')
      .where('id', '>', afterId)
      .andWhere((either) => {
        either
          .where((q) => {
            q.where('state', 'pending').andWhere((due) =>
              due.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', now),
            );
          })
          .orWhere((q) => {
            q.where('state', 'provisioning').andWhere('next_attempt_at', '<=', now);
          });
      })
      .orderBy('id')
      .limit(limit);
    return rows.map(toService);
  }

  /** Subscriptions still provisioning although none of their services is left to do. */
  async listSubscriptionsAllReady(db: DbOrTx, limit = 1000): Promise<number[]> {
    const rows = await db('subscriptions')
      .select('subscriptions.id')
      .where('subscriptions.state', 'provisioning')
      .whereNotExists(
        db('services')
          .select(db.raw('1'))
          .whereRaw('services.subscription_id = subscriptions.id')
          .whereNot('services.state', 'ready'),
      )
      .orderBy('subscriptions.id')
      .limit(limit);
    return rows.map((r: { id: number | string }) => Number(r.id));
  }

  async subscriptionState(db: DbOrTx, subscriptionId: number): Promise<string | undefined> {
    const row = await db('subscriptions').select('state').where({ id: subscriptionId }).first();
    return row ? String(row.state) : undefined;
  }

  /** pending → provisioning (or a lapsed provisioning lease taken over): counts the attempt. */
  claim(guard: ServiceGuard, leaseUntil: number, now: number): GuardedMove {
    return this.move(guard, 'provisioning', (db) => ({
      attempts: db.raw('attempts + 1'),
      next_attempt_at: leaseUntil,
      updated_at: now,
    }));
  }

  markReady(guard: ServiceGuard, now: number): GuardedMove {
    return this.move(guard, 'ready', () => ({
      ready_at: now,
      next_attempt_at: null,
      last_error: null,
      updated_at: now,
    }));
  }

  markWaiting(guard: ServiceGuard, now: number): GuardedMove {
    return this.move(guard, 'waiting', () => ({ next_attempt_at: null, last_error: null, updated_at: now }));
  }

  /** provisioning → pending, due again at `nextAttemptAt`. */
  scheduleRetry(guard: ServiceGuard, error: ServiceError, nextAttemptAt: number, now: number): GuardedMove {
    return this.move(guard, 'pending', () => ({
      next_attempt_at: nextAttemptAt,
      last_error: boundedJson(error),
      updated_at: now,
    }));
  }

  markFailed(guard: ServiceGuard, error: ServiceError, now: number): GuardedMove {
    return this.move(guard, 'failed', () => ({
      next_attempt_at: null,
      last_error: boundedJson(error),
      updated_at: now,
    }));
  }

  /** failed → pending with a fresh attempt budget, due now. */
  reset(guard: ServiceGuard, now: number): GuardedMove {
    return this.move(guard, 'pending', () => ({ attempts: 0, next_attempt_at: now, updated_at: now }));
  }

  /** The guarded update of a service: by id, state and (when given) its attempt count. */
  private move(guard: ServiceGuard, to: ServiceState, values: (db: DbOrTx) => Record<string, unknown>): GuardedMove {
    return knexMove('service', 'services', guard.id, guard.state, to, values, {
      extraGuard: guard.attempts === undefined ? undefined : { attempts: guard.attempts },
    });
  }
}
