import { randomBytes } from 'node:crypto';
import { boundedJson, clip } from '../../infra/db/bounded-text.js';
import type { DbOrTx } from '../../infra/db/database.js';
import { insertedIds } from '../../infra/db/inserted-ids.js';
import { fromJson, toIso, toJson } from '../../infra/db/rows.js';
import { GuardedMove, knexMove } from '../audit/transition.js';
import { readInstallationId } from './installation-id.js';
import {
  type LicenseRequest,
  type LicenseRequestSource,
  type LicenseRequestState,
  legacyReferenceOf,
  reasonMaxLength,
  referenceOf,
} from './license-request.js';
import type {
  LicenseRequestPort,
  LicenseRequestWriter,
  NewLicenseRequest,
  TransitionPatch,
} from './license-request-port.js';

export interface LicenseRequestRow {
  id: number;
  subscription_id: number | null;
  customer_id: number | null;
  configuration_id: number;
  service_id: number | null;
  source: LicenseRequestSource;
  product: string;
  features: string | null;
  quantity: number;
  period_months: number | null;
  state: LicenseRequestState;
  reason: string | null;
  last_error: string | null;
  attempts: number;
  next_attempt_at: number | null;
  issue_sent_at: number | null;
  key_candidates: string | null;
  reference: string | null;
  predecessor_license_id?: number | null;
  created_at: number;
  updated_at: number;
}

export function toLicenseRequest(row: LicenseRequestRow): LicenseRequest {
  return {
    id: Number(row.id),
    subscriptionId: row.subscription_id === null ? null : Number(row.subscription_id),
    customerId: row.customer_id === null ? null : Number(row.customer_id),
    configurationId: Number(row.configuration_id),
    serviceId: row.service_id === null ? null : Number(row.service_id),
    source: row.source,
    product: row.product,
    features: fromJson(row.features, []),
    quantity: Number(row.quantity),
    periodMonths: row.period_months === null ? null : Number(row.period_months),
    state: row.state,
    reason: row.reason,
    lastError: fromJson(row.last_error, null),
    attempts: Number(row.attempts),
    nextAttemptAt: toIso(row.next_attempt_at),
    issueSentAt: toIso(row.issue_sent_at),
    keyCandidates: fromJson(row.key_candidates, null),
    // Only a row written around the store lacks one: it gets the form its id had before.
    reference: row.reference ?? legacyReferenceOf(Number(row.id)),
    predecessorLicenseId:
      row.predecessor_license_id === null || row.predecessor_license_id === undefined
        ? null
        : Number(row.predecessor_license_id),
    createdAt: toIso(row.created_at) ?? '',
    updatedAt: toIso(row.updated_at) ?? '',
  };
}

export interface LicenseRequestFilter {
  state?: LicenseRequestState;
  configurationId?: number;
  subscriptionId?: number;
  customerId?: number;
  /** Only requests created before this instant (age filter). */
  createdBeforeMs?: number;
  /** Keyset: newest first, ids below this. */
  beforeId?: number;
  limit: number;
}

/** The request as a transition with this patch at `now` left it. */
function afterTransition(
  request: LicenseRequest,
  to: LicenseRequestState,
  patch: TransitionPatch,
  now: number,
): LicenseRequest {
  return {
    ...request,
    state: to,
    updatedAt: toIso(now) ?? request.updatedAt,
    ...(patch.reason !== undefined
      ? { reason: patch.reason === null ? null : clip(patch.reason, reasonMaxLength) }
      : {}),
    ...(patch.lastError !== undefined ? { lastError: patch.lastError } : {}),
    ...(patch.attempts !== undefined ? { attempts: patch.attempts } : {}),
    ...(patch.nextAttemptAt !== undefined ? { nextAttemptAt: toIso(patch.nextAttemptAt) } : {}),
    ...(patch.issueSentAt !== undefined ? { issueSentAt: toIso(patch.issueSentAt) } : {}),
    ...(patch.keyCandidates !== undefined ? { keyCandidates: patch.keyCandidates } : {}),
  };
}

/** The states in which the pipeline is working on a request (not waiting, for staff or done). */
const workingStates: LicenseRequestState[] = ['ready', 'issuing', 'key_issued', 'files_retrieved', 'installing'];

/** The columns a transition's patch sets (besides the state). */
export function transitionColumns(patch: TransitionPatch, now: number): Record<string, unknown> {
  const update: Record<string, unknown> = { updated_at: now };
  if (patch.reason !== undefined) update.reason = patch.reason === null ? null : clip(patch.reason, reasonMaxLength);
  if (patch.lastError !== undefined) update.last_error = boundedJson(patch.lastError);
  if (patch.keyCandidates !== undefined) update.key_candidates = boundedJson(patch.keyCandidates);
  if (patch.attempts !== undefined) update.attempts = patch.attempts;
  if (patch.nextAttemptAt !== undefined) update.next_attempt_at = patch.nextAttemptAt;
  if (patch.issueSentAt !== undefined) update.issue_sent_at = patch.issueSentAt;
  if (patch.releaseLease) Object.assign(update, { lease_token: null, lease_until: null });
  return update;
}

export class LicenseRequestStore implements LicenseRequestWriter, LicenseRequestPort {
  /** Read once per process: it never changes. */
  private installationId?: Promise<string>;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Inserts the request and stores its reference (which needs the new id) right after; answers
   * the request as written, so its creator needs no read back.
   */
  async insert(db: DbOrTx, input: NewLicenseRequest): Promise<LicenseRequest> {
    const [request] = await this.insertMany(db, [input]);
    return request as LicenseRequest;
  }

  /**
   * `insert` for many requests in a few statements: one insert, one read of their ids (by
   * provisional references, unique as the column must be), then every reference in one update.
   */
  async insertMany(db: DbOrTx, inputs: readonly NewLicenseRequest[]): Promise<LicenseRequest[]> {
    if (!inputs.length) return [];
    const installationId = await this.readInstallationId(db);
    const now = this.now();
    // Several rows go in under provisional references, by which their ids are read back.
    const batch = inputs.length > 1 ? randomBytes(8).toString('hex') : '';
    const provisional = batch ? inputs.map((_, i) => `kw-${installationId}-new-${batch}-${i}`) : [];
    const rows = inputs.map((input, i) => ({
      subscription_id: input.subscriptionId,
      customer_id: input.customerId,
      configuration_id: input.configurationId,
      service_id: input.serviceId,
      source: input.source,
      product: input.product,
      features: toJson(input.features),
      quantity: input.quantity,
      period_months: input.periodMonths,
      state: input.state,
      predecessor_license_id: input.predecessorLicenseId ?? null,
      attempts: 0,
      next_attempt_at: input.state === 'ready' ? now : null,
      created_at: now,
      updated_at: now,
      ...(provisional.length ? { reference: provisional[i] } : {}),
    }));
    const ids = await insertedIds(db, 'license_requests', rows, async () => {
      const found = await db('license_requests').whereIn('reference', provisional).select('id', 'reference');
      const byReference = new Map(found.map((r: { id: number; reference: string }) => [r.reference, Number(r.id)]));
      return provisional.map((reference) => byReference.get(reference));
    });
    const references = ids.map((id) => referenceOf(installationId, id));
    if (ids.length === 1) await db('license_requests').where({ id: ids[0] }).update({ reference: references[0] });
    else
      await db('license_requests')
        .whereIn('id', ids)
        .update({
          reference: db.raw(
            `CASE id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END`,
            ids.flatMap((id, i) => [id, references[i] as string]),
          ),
        });
    return rows.map((row, i) =>
      toLicenseRequest({
        ...row,
        id: ids[i] as number,
        reference: references[i] as string,
        reason: null,
        last_error: null,
        issue_sent_at: null,
        key_candidates: null,
      }),
    );
  }

  private readInstallationId(db: DbOrTx): Promise<string> {
    this.installationId ??= readInstallationId(db).catch((error: unknown) => {
      this.installationId = undefined;
      throw error;
    });
    return this.installationId;
  }

  async reassign(db: DbOrTx, id: number, owner: { customerId: number; subscriptionId: number | null }): Promise<void> {
    await db('license_requests')
      .where({ id })
      .update({ customer_id: owner.customerId, subscription_id: owner.subscriptionId, updated_at: this.now() });
  }

  async get(db: DbOrTx, id: number): Promise<LicenseRequest | undefined> {
    const row = await db<LicenseRequestRow>('license_requests').where({ id }).first();
    return row ? toLicenseRequest(row) : undefined;
  }

  /** One probe of the `(configuration_id, state, id)` index per working state. */
  async hasWorking(db: DbOrTx, configurationId: number): Promise<boolean> {
    const row = await db('license_requests')
      .select('id')
      .where('configuration_id', configurationId)
      .whereIn('state', workingStates)
      .first();
    return row !== undefined;
  }

  async list(db: DbOrTx, filter: LicenseRequestFilter): Promise<LicenseRequest[]> {
    const q = db<LicenseRequestRow>('license_requests').orderBy('id', 'desc').limit(filter.limit);
    if (filter.state) q.where('state', filter.state);
    if (filter.configurationId !== undefined) q.where('configuration_id', filter.configurationId);
    if (filter.subscriptionId !== undefined) q.where('subscription_id', filter.subscriptionId);
    if (filter.customerId !== undefined) q.where('customer_id', filter.customerId);
    if (filter.createdBeforeMs !== undefined) q.where('created_at', '<', filter.createdBeforeMs);
    if (filter.beforeId !== undefined) q.where('id', '<', filter.beforeId);
    return (await q).map(toLicenseRequest);
  }

  async listBySubscription(db: DbOrTx, subscriptionId: number): Promise<LicenseRequest[]> {
    return (
      await db<LicenseRequestRow>('license_requests').where({ subscription_id: subscriptionId }).orderBy('id')
    ).map(toLicenseRequest);
  }

  /**
   * Guarded transition: moves the request only if it is still in `from` (run by
   * `applyTransition` with its audit event). It answers undefined when another job or person
   * moved it first; the caller then does nothing.
   */
  transition(
    id: number,
    from: LicenseRequestState | LicenseRequestState[],
    to: LicenseRequestState,
    patch: TransitionPatch = {},
  ): GuardedMove {
    return knexMove('license_request', 'license_requests', id, from, to, () => transitionColumns(patch, this.now()));
  }

  /**
   * `transition` that answers the request as it left it, so a job that moved a request goes
   * on without reading it back.
   */
  move(
    request: LicenseRequest,
    from: LicenseRequestState,
    to: LicenseRequestState,
    patch: TransitionPatch = {},
  ): GuardedMove<LicenseRequest> {
    return new GuardedMove('license_request', request.id, from, to, async (db) => {
      const now = this.now();
      const changed = await db('license_requests')
        .where({ id: request.id, state: from })
        .update({ state: to, ...transitionColumns(patch, now) });
      return changed === 1 ? afterTransition(request, to, patch, now) : undefined;
    });
  }

  /**
   * Requests of one configuration and product in `issuing`: those whose issue call may have
   * made a key (a lookup settles which key each one holds), or is being sent now.
   */
  async listIssuing(db: DbOrTx, configurationId: number, product: string): Promise<LicenseRequest[]> {
    return (
      await db<LicenseRequestRow>('license_requests')
        .where({ configuration_id: configurationId, product, state: 'issuing' })
        .orderBy('id')
    ).map(toLicenseRequest);
  }

  /**
   * Which of `ids` have an issue call on its way now: in `issuing` with no error since the
   * send (the move to `issuing` clears it) and a worker's live lease. Their keys may not be at
   * the KA yet. A request whose outcome is already unknown has its error recorded, so a lookup
   * under way does not count.
   */
  async issueInFlight(db: DbOrTx, ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await db('license_requests')
      .whereIn('id', ids)
      .where({ state: 'issuing' })
      .whereNull('last_error')
      .andWhere('lease_until', '>=', this.now())
      .pluck('id');
    return new Set(rows.map(Number));
  }

  /** Ids of the subscription's requests waiting for its services (`pending`). */
  async pendingOf(db: DbOrTx, subscriptionId: number): Promise<number[]> {
    return (await db('license_requests').where({ subscription_id: subscriptionId, state: 'pending' }).pluck('id')).map(
      Number,
    );
  }

  /**
   * Claims the request for one worker for `leaseMs`. Only one holder at a time: a duplicate
   * or replayed job finds the lease taken and does nothing. A dead worker's lease expires.
   */
  async acquireLease(db: DbOrTx, id: number, token: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    const changed = await db('license_requests')
      .where({ id })
      .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now))
      .update({ lease_token: token, lease_until: now + leaseMs });
    return changed === 1;
  }

  async releaseLease(db: DbOrTx, id: number, token: string): Promise<void> {
    await db('license_requests').where({ id, lease_token: token }).update({ lease_token: null, lease_until: null });
  }

  /** Requests the pipeline should be working on now and whose worker is not alive. */
  async dueForWork(
    db: DbOrTx,
    states: LicenseRequestState[],
    limit: number,
    dueBefore: number,
  ): Promise<Array<{ id: number; state: LicenseRequestState; attempts: number }>> {
    const now = this.now();
    const rows = await db('license_requests')
      .select('id', 'state', 'attempts')
      .whereIn('state', states)
      .andWhere((q) => q.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', dueBefore))
      .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now))
      .orderBy('id')
      .limit(limit);
    return rows.map((r) => ({ id: Number(r.id), state: r.state as LicenseRequestState, attempts: Number(r.attempts) }));
  }

  /** Counts by state, optionally per configuration, for dashboards. */
  async countByState(
    db: DbOrTx,
  ): Promise<Array<{ configurationId: number; state: LicenseRequestState; count: number }>> {
    const rows = (await db('license_requests')
      .select('configuration_id', 'state')
      .count({ n: '*' })
      .groupBy('configuration_id', 'state')) as Array<{
      configuration_id: number;
      state: string;
      n: number | string;
    }>;
    return rows.map((r) => ({
      configurationId: Number(r.configuration_id),
      state: r.state as LicenseRequestState,
      count: Number(r.n),
    }));
  }

  /** Which of `ids` exist (a bulk job's selection by ids), read a thousand at a time. */
  async existingIds(db: DbOrTx, ids: readonly number[]): Promise<number[]> {
    const found: number[] = [];
    for (let at = 0; at < ids.length; at += 1000)
      found.push(
        ...(
          await db('license_requests')
            .whereIn('id', ids.slice(at, at + 1000))
            .pluck('id')
        ).map(Number),
      );
    return found;
  }
}
