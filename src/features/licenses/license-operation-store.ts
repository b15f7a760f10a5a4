import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../../infra/db/database.js';
import { fromJson, toIso, toJson } from '../../infra/db/rows.js';
import type { Actor } from '../../kernel/actor.js';

/**
 * `in_progress`: claimed, the KA call is under way (or about to be) until `leaseUntil`; past
 * it, the process that held it is presumed gone and the operation counts as `outcome_unknown`.
 * `outcome_unknown`: the KA may or may not have acted; read the key before anything else.
 * `succeeded` and `failed` are closed.
 */
export type LicenseOperationState =
  | 'in_progress'
  | 'outcome_unknown'
  | 'succeeded'
  | 'failed'
  // Worker-run operations only (see `WorkedOperationStore`):
  | 'pending'
  | 'needs_manual'
  | 'cancelled';

/** The key as it was before the call (Keyway's record, and the KA's where it was read). */
export interface KeyFacts {
  status: string;
  expiresAt: string | null;
  updatesUntil: string | null;
  fullKeyNumber: string | null;
  /** Read at the KA just before the call, when the plugin can read keys. */
  atKa?: { expiresAt: string | null; fullKeyNumber: string | null; suspended?: boolean; terminated: boolean };
}

export interface LicenseOperation {
  id: number;
  licenseId: number;
  /** `renew`, `suspend`, ... (later: quantity changes, migrations). */
  kind: string;
  state: LicenseOperationState;
  /** Our reference for this operation at the KA, where its protocol can carry one. */
  reference: string;
  parameters: Record<string, unknown>;
  before: KeyFacts | null;
  result: Record<string, unknown> | null;
  attempts: number;
  lastError: Record<string, unknown> | null;
  actor: Actor;
  /** Epoch ms; set while a process holds the operation (the call, or reading the key to resolve it). */
  leaseUntil: number | null;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  /** Worker-run operations: when the next attempt is due. */
  nextAttemptAt?: number | null;
  /** Worker-run operations: when the KA call was sent (the outcome then matters). */
  sentAt?: number | null;
  /** Worker-run operations: why staff have it (`needs_manual`). */
  reason?: string | null;
  /** What made a worker-run operation (`renewal` 4); none for staff's own actions. */
  cause?: { type: string; id: number } | null;
}

/** What the API and the console show of an operation. */
export interface LicenseOperationView {
  id: number;
  kind: string;
  state: LicenseOperationState;
  /** True while a process holds it (its lease is live): actions wait for it. */
  held: boolean;
  reference: string;
  attempts: number;
  lastError: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  actor: Actor;
  startedAt: string;
  leaseUntil: string | null;
  closedAt: string | null;
  /** Worker-run operations: why staff have it, what made it, and when the next attempt is due. */
  reason?: string | null;
  cause?: { type: string; id: number } | null;
  nextAttemptAt?: string | null;
}

export interface OperationRow {
  id: number;
  license_id: number;
  open_license_id: number | null;
  kind: string;
  state: LicenseOperationState;
  reference: string;
  parameters: string;
  before: string | null;
  result: string | null;
  attempts: number;
  last_error: string | null;
  actor: string;
  lease_until: number | string | null;
  created_at: number | string;
  updated_at: number | string;
  closed_at: number | string | null;
  next_attempt_at?: number | string | null;
  sent_at?: number | string | null;
  reason?: string | null;
  cause_type?: string | null;
  cause_id?: number | null;
  lease_token?: string | null;
}

/** Stored texts are ours, but a KA's message is not: each string is cut to this many characters. */
const maxStoredString = 1000;

/** JSON of a flat record whose strings are cut to a bound, so a KA's long message never meets a column's limit. */
export function boundedJson(value: Record<string, unknown> | null | undefined): string | null {
  if (!value) return null;
  const cut = (v: unknown): unknown =>
    typeof v === 'string' && v.length > maxStoredString ? `${v.slice(0, maxStoredString)}…[cut]` : v;
  return toJson(
    Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        v && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).map(([k2, v2]) => [k2, cut(v2)]))
          : cut(v),
      ]),
    ),
  );
}

export const nullableNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function toOperation(row: OperationRow): LicenseOperation {
  return {
    id: Number(row.id),
    licenseId: Number(row.license_id),
    kind: row.kind,
    state: row.state,
    reference: row.reference,
    parameters: fromJson(row.parameters, {}),
    before: fromJson(row.before, null),
    result: fromJson(row.result, null),
    attempts: Number(row.attempts),
    lastError: fromJson(row.last_error, null),
    actor: fromJson(row.actor, { type: 'system' }),
    leaseUntil: nullableNumber(row.lease_until),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    closedAt: nullableNumber(row.closed_at),
    nextAttemptAt: nullableNumber(row.next_attempt_at ?? null),
    sentAt: nullableNumber(row.sent_at ?? null),
    reason: row.reason ?? null,
    cause: row.cause_type ? { type: row.cause_type, id: Number(row.cause_id) } : null,
  };
}

/** Run by the workers (a renewal, a subscription's cancel), not by a staff member's own request. */
export function isWorkerRun(operation: Pick<LicenseOperation, 'cause'>): boolean {
  return Boolean(operation.cause);
}

/** True while the process that claimed or is resolving the operation may still be at it. */
export function isHeld(operation: LicenseOperation, now: number): boolean {
  return operation.closedAt === null && operation.leaseUntil !== null && operation.leaseUntil > now;
}

export function operationView(operation: LicenseOperation, now: number): LicenseOperationView {
  return {
    id: operation.id,
    kind: operation.kind,
    state: operation.state,
    held: isHeld(operation, now),
    reference: operation.reference,
    attempts: operation.attempts,
    lastError: operation.lastError,
    result: operation.result,
    actor: operation.actor,
    startedAt: toIso(operation.createdAt) ?? '',
    leaseUntil: toIso(operation.leaseUntil),
    closedAt: toIso(operation.closedAt),
    ...(operation.cause
      ? {
          reason: operation.reason ?? null,
          cause: operation.cause,
          nextAttemptAt: toIso(operation.nextAttemptAt ?? null),
        }
      : {}),
  };
}

export interface NewLicenseOperation {
  licenseId: number;
  kind: string;
  parameters: Record<string, unknown>;
  before: KeyFacts;
  actor: Actor;
  leaseUntil: number;
}

/**
 * Rows of `license_operations`. Every change is guarded by the state it expects, and an open
 * operation holds its license through the unique `open_license_id`: inserting a second open
 * operation for a license fails, whoever tries.
 */
export class LicenseOperationStore {
  constructor(private readonly now: () => number = Date.now) {}

  /** Claims the license: fails with a unique violation when it has an open operation. */
  async insert(db: DbOrTx, input: NewLicenseOperation): Promise<LicenseOperation> {
    const now = this.now();
    const row: Omit<OperationRow, 'id'> = {
      license_id: input.licenseId,
      open_license_id: input.licenseId,
      kind: input.kind,
      state: 'in_progress',
      reference: `kw-op-${randomUUID()}`,
      parameters: toJson(input.parameters) ?? '{}',
      before: toJson(input.before),
      result: null,
      attempts: 1,
      last_error: null,
      actor: toJson(input.actor) ?? '{}',
      lease_until: input.leaseUntil,
      created_at: now,
      updated_at: now,
      closed_at: null,
    };
    const [id] = await db('license_operations').insert(row);
    return toOperation({ ...row, id: Number(id) });
  }

  async get(db: DbOrTx, id: number): Promise<LicenseOperation | undefined> {
    const row = await db<OperationRow>('license_operations').where({ id }).first();
    return row ? toOperation(row) : undefined;
  }

  /** The license's open operation, if it has one (there is at most one). */
  async openFor(db: DbOrTx, licenseId: number): Promise<LicenseOperation | undefined> {
    const row = await db<OperationRow>('license_operations').where({ open_license_id: licenseId }).first();
    return row ? toOperation(row) : undefined;
  }

  /** What the KA said the key was before the call; only while the claim holds it. */
  async setBefore(db: DbOrTx, id: number, before: KeyFacts): Promise<boolean> {
    return (await this.openUpdate(db, id, ['in_progress'], { before: toJson(before) })) === 1;
  }

  /** The call's outcome is unknown: the operation stays open, unheld, for a reading of the key to settle. */
  async markOutcomeUnknown(db: DbOrTx, id: number, lastError: Record<string, unknown>): Promise<boolean> {
    return (
      (await this.openUpdate(db, id, ['in_progress'], {
        state: 'outcome_unknown',
        lease_until: null,
        last_error: boundedJson(lastError),
      })) === 1
    );
  }

  /**
   * Takes an operation whose outcome is unknown, or whose claim went stale, to read the key
   * at the KA. One taker at a time: the lease must be free or past.
   */
  async takeForResolution(db: DbOrTx, id: number, leaseUntil: number): Promise<LicenseOperation | undefined> {
    const now = this.now();
    const taken = await db('license_operations')
      .where({ id })
      .whereNotNull('open_license_id')
      .whereIn('state', ['in_progress', 'outcome_unknown'])
      .where((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now))
      .update({ state: 'outcome_unknown', lease_until: leaseUntil, updated_at: now });
    return taken === 1 ? this.get(db, id) : undefined;
  }

  /** Gives up a resolution that could not settle the outcome; the error says why. */
  async releaseUnresolved(db: DbOrTx, id: number, lastError: Record<string, unknown>): Promise<boolean> {
    return (
      (await this.openUpdate(db, id, ['outcome_unknown'], {
        lease_until: null,
        last_error: boundedJson(lastError),
      })) === 1
    );
  }

  /** Closes the operation and frees its license. `from` is the state the caller holds it in. */
  async close(
    db: DbOrTx,
    id: number,
    from: LicenseOperationState,
    to: 'succeeded' | 'failed',
    outcome: { result?: Record<string, unknown>; lastError?: Record<string, unknown> },
  ): Promise<boolean> {
    const now = this.now();
    const changes: Record<string, unknown> = { state: to, open_license_id: null, lease_until: null, closed_at: now };
    if (outcome.result) changes.result = boundedJson(outcome.result);
    if (outcome.lastError) changes.last_error = boundedJson(outcome.lastError);
    return (await this.openUpdate(db, id, [from], changes)) === 1;
  }

  private async openUpdate(
    db: DbOrTx,
    id: number,
    from: LicenseOperationState[],
    changes: Record<string, unknown>,
  ): Promise<number> {
    return db('license_operations')
      .where({ id })
      .whereNotNull('open_license_id')
      .whereIn('state', from)
      .update({ ...changes, updated_at: this.now() });
  }
}

/** A unique index refused the insert (MySQL/MariaDB or SQLite). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number } | undefined;
  return e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062 || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
