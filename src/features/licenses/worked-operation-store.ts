import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../../infra/db/database.js';
import { toJson } from '../../infra/db/rows.js';
import type { Actor } from '../../kernel/actor.js';
import { type GuardedMove, GuardedMove as Move } from '../audit/transition.js';
import {
  boundedJson,
  type KeyFacts,
  type LicenseOperation,
  type LicenseOperationState,
  type OperationRow,
  toOperation,
} from './license-operation-store.js';

/** States in which the workers, not a person, owe a worker-run operation its next move. */
export const workedStates: LicenseOperationState[] = ['pending', 'in_progress', 'outcome_unknown'];

/** What a worker-run operation is made with (in the transaction of its cause). */
export interface NewWorkedOperation {
  licenseId: number;
  kind: string;
  parameters: Record<string, unknown>;
  actor: Actor;
  cause: { type: string; id: number };
  now: number;
}

/** A patch a guarded move of a worker-run operation writes with its new state. */
export interface WorkedPatch {
  attempts?: number;
  nextAttemptAt?: number | null;
  lastError?: Record<string, unknown> | null;
  reason?: string | null;
  result?: Record<string, unknown>;
  before?: KeyFacts | null;
  sentAt?: number | null;
  /** Take the license (`open_license_id`): only one open operation per license, whoever opens it. */
  holdLicense?: boolean;
  /** Give the license back (the operation closes, or waits without anything sent). */
  releaseLicense?: boolean;
  /** Ends the worker's lease with the move. */
  releaseLease?: boolean;
  closed?: boolean;
}

const maxReason = 500;

/**
 * The worker-run side of `license_operations` (renewals of a subscription's licenses, later
 * its cancel, suspend and resume). Such an operation waits in `pending` without holding its
 * license; a worker takes it under a lease (`acquire`), holds the license while it reads and
 * calls the KA (`in_progress`), and keeps holding it while the outcome is unknown. Every state
 * change is a guarded move run by `applyTransition` with its audit event.
 */
export class WorkedOperationStore {
  constructor(private readonly now: () => number = Date.now) {}

  async insert(db: DbOrTx, input: NewWorkedOperation): Promise<number> {
    const [id] = await db('license_operations').insert({
      license_id: input.licenseId,
      open_license_id: null,
      kind: input.kind,
      state: 'pending',
      reference: `kw-op-${randomUUID()}`,
      parameters: toJson(input.parameters) ?? '{}',
      before: null,
      result: null,
      attempts: 0,
      last_error: null,
      actor: toJson(input.actor) ?? '{}',
      lease_until: null,
      next_attempt_at: input.now,
      cause_type: input.cause.type,
      cause_id: input.cause.id,
      created_at: input.now,
      updated_at: input.now,
      closed_at: null,
    });
    return Number(id);
  }

  async get(db: DbOrTx, id: number): Promise<LicenseOperation | undefined> {
    const row = await db<OperationRow>('license_operations').where({ id }).first();
    return row ? toOperation(row) : undefined;
  }

  /** The operations a cause made (a renewal's, one per license), oldest first. */
  async listByCause(db: DbOrTx, type: string, ids: number[]): Promise<LicenseOperation[]> {
    if (!ids.length) return [];
    const rows = await db<OperationRow>('license_operations')
      .where({ cause_type: type })
      .whereIn('cause_id', ids)
      .orderBy('id');
    return rows.map(toOperation);
  }

  /** Worker-run operations of a license, newest first. */
  async listOfLicense(db: DbOrTx, licenseId: number, limit = 20): Promise<LicenseOperation[]> {
    const rows = await db<OperationRow>('license_operations')
      .where({ license_id: licenseId })
      .whereNotNull('cause_type')
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(toOperation);
  }

  /**
   * Takes a worker-run operation owed work for this worker until `leaseUntil`; undefined when
   * another worker holds it, it is done or with a person, or its retry is not due yet.
   */
  async acquire(db: DbOrTx, id: number, token: string, leaseUntil: number): Promise<boolean> {
    const now = this.now();
    const changed = await db('license_operations')
      .where({ id })
      .whereNotNull('cause_type')
      .whereIn('state', workedStates)
      .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now))
      .andWhere((q) => q.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', now + 1_000))
      .update({ lease_token: token, lease_until: leaseUntil });
    return changed === 1;
  }

  async release(db: DbOrTx, id: number, token: string): Promise<void> {
    await db('license_operations').where({ id, lease_token: token }).update({ lease_token: null, lease_until: null });
  }

  /** Operations owed work, due before `dueBefore`, that no live worker holds. */
  async dueForWork(
    db: DbOrTx,
    limit: number,
    dueBefore: number,
  ): Promise<Array<{ id: number; state: LicenseOperationState; attempts: number }>> {
    const now = this.now();
    const rows = await db('license_operations')
      .select('id', 'state', 'attempts')
      .whereIn('state', workedStates)
      .whereNotNull('cause_type')
      .andWhere((q) => q.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', dueBefore))
      .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now))
      .orderBy('id')
      .limit(limit);
    return rows.map((r) => ({
      id: Number(r.id),
      state: r.state as LicenseOperationState,
      attempts: Number(r.attempts),
    }));
  }

  /**
   * `from → to`, guarded by the state (and, for a worker, its lease token: a worker whose
   * lease was taken over changes nothing). Answers the operation as it left it.
   */
  move(
    operation: LicenseOperation,
    from: LicenseOperationState | LicenseOperationState[],
    to: LicenseOperationState,
    patch: WorkedPatch = {},
    token?: string,
  ): GuardedMove<LicenseOperation> {
    const froms = typeof from === 'string' ? [from] : from;
    return new Move('license_operation', operation.id, from, to, async (db) => {
      const now = this.now();
      const q = db('license_operations').where({ id: operation.id }).whereIn('state', froms);
      if (token) q.andWhere({ lease_token: token });
      const changed = await q.update({ state: to, ...this.columnsOf(operation, patch, now) });
      return changed === 1 ? this.get(db, operation.id) : undefined;
    });
  }

  private columnsOf(operation: LicenseOperation, patch: WorkedPatch, now: number): Record<string, unknown> {
    const update: Record<string, unknown> = { updated_at: now };
    if (patch.attempts !== undefined) update.attempts = patch.attempts;
    if (patch.nextAttemptAt !== undefined) update.next_attempt_at = patch.nextAttemptAt;
    if (patch.lastError !== undefined) update.last_error = boundedJson(patch.lastError);
    if (patch.reason !== undefined) update.reason = patch.reason === null ? null : patch.reason.slice(0, maxReason);
    if (patch.result !== undefined) update.result = boundedJson(patch.result);
    if (patch.before !== undefined) update.before = toJson(patch.before);
    if (patch.sentAt !== undefined) update.sent_at = patch.sentAt;
    if (patch.holdLicense) update.open_license_id = operation.licenseId;
    if (patch.releaseLicense || patch.closed) update.open_license_id = null;
    if (patch.releaseLease || patch.closed) Object.assign(update, { lease_token: null, lease_until: null });
    if (patch.closed) update.closed_at = now;
    return update;
  }
}
