import type { DbOrTx } from '../../infra/db/database.js';
import type { Actor } from '../../kernel/actor.js';
import type { GuardedMove } from '../audit/transition.js';

/** A subscription's state as its cancel, suspend and resume see it. */
export interface ActedSubscription {
  id: number;
  orderId: number;
  state: string;
  expiresAt: string;
  /** A pending term-end cancel's date, or null. */
  cancelsAt: string | null;
}

/**
 * What cancel, suspend and resume ask of subscriptions: the subscriptions feature's store
 * answers (its guarded moves, run here with `applyTransition`); the root connects it.
 */
export interface ActedSubscriptions {
  get(db: DbOrTx, id: number): Promise<ActedSubscription | undefined>;
  cancel(id: number, from: ActedSubscription['state'], now: number): GuardedMove;
  cancelDue(id: number, from: ActedSubscription['state'], now: number): GuardedMove;
  scheduleCancel(id: number, state: ActedSubscription['state'], at: number, now: number): GuardedMove;
  withdrawCancel(id: number, state: ActedSubscription['state'], now: number): GuardedMove;
  setSuspended(id: number, suspended: boolean, now: number): GuardedMove;
  dueForCancel(db: DbOrTx, now: number, limit: number): Promise<Array<{ id: number; state: string }>>;
}

/** The licenses of a subscription (the licenses feature answers). */
export interface ActedLicenses {
  listBySubscription(
    db: DbOrTx,
    subscriptionId: number,
  ): Promise<Array<{ id: number; keyNumber: string; status: string }>>;
}

/** The states of a worker-run license operation (the licenses feature's). */
export type ActionOperationState =
  | 'pending'
  | 'in_progress'
  | 'outcome_unknown'
  | 'needs_manual'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

/** A worker-run license operation as this feature handles it (the licenses feature's row). */
export interface ActionOperation {
  id: number;
  licenseId: number;
  kind: string;
  state: ActionOperationState;
  cause?: { type: string; id: number } | null;
  /** When its KA call was sent; set, its outcome matters and it is not superseded. */
  sentAt?: number | null;
}

/** The licenses feature's worker-run operations: made here, run by the workers, superseded here. */
export interface ActionOperations {
  insert(
    tx: DbOrTx,
    input: {
      licenseId: number;
      kind: string;
      parameters: Record<string, unknown>;
      actor: Actor;
      cause: { type: string; id: number };
      now: number;
    },
  ): Promise<number>;
  listByCause(db: DbOrTx, type: string, ids: number[]): Promise<ActionOperation[]>;
  /** A guarded move of one operation (closing it, for one that a later action supersedes). */
  move(
    operation: ActionOperation,
    from: ActionOperationState[],
    to: ActionOperationState,
    patch: { closed?: boolean; nextAttemptAt?: null; reason?: string },
  ): GuardedMove<unknown>;
}
