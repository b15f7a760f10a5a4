import { createHash } from 'node:crypto';
import { type DbOrTx, dialectOf } from '../../infra/db/database.js';
import { fromJson, toIso, toJson } from '../../infra/db/rows.js';
import { type GuardedMove, knexMove } from '../audit/transition.js';
import type {
  License,
  LicenseFileSummary,
  LicenseKeyType,
  LicenseQuota,
  LicenseStatus,
  LicenseSummary,
  LicenseTermKind,
} from './license.js';
import type { LicensePort, LicenseTerm, NewLicense, NewLicenseFile } from './license-port.js';
import { readStoredSync, storedSync, type SyncState } from './license-sync-state.js';
import type { KaFactsAccepted, LicenseSyncPort, SyncRecord } from './license-sync-port.js';

export type { LicenseTerm } from './license-port.js';

export interface LicenseRow {
  id: number;
  request_id: number | null;
  configuration_id: number;
  subscription_id: number | null;
  customer_id: number | null;
  key_number: string;
  full_key_number: string | null;
  product_key: string | null;
  product: string;
  features: string;
  additional_key_numbers: string;
  status: LicenseStatus;
  source: 'online' | 'upload';
  expires_at: number | null;
  updates_until: number | null;
  installed_at: number | null;
  created_at: number;
  starts_at?: number | null;
  term_kind?: LicenseTermKind | null;
  period_months?: number | null;
  key_expires_at?: number | null;
  revision?: string | null;
  refresh_due_at?: number | null;
  suspended_keyway_only?: number | boolean | null;
  sync_state?: SyncState | null;
  sync_diff?: string | null;
  last_synced_at?: number | null;
  quota?: number | null;
  quota_unit?: string | null;
  quota_reserved?: number | null;
  key_type?: LicenseKeyType | null;
  parent_license_id?: number | null;
  key_name?: string | null;
  renews_with_subscription?: boolean | number | null;
  decreases_used?: number;
  predecessor_license_id?: number | null;
  successor_license_id?: number | null;
}

const numberOrNull = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v));

export function toLicenseSummary(row: LicenseRow): LicenseSummary {
  const id = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(row.id),
    requestId: id(row.request_id),
    configurationId: Number(row.configuration_id),
    subscriptionId: id(row.subscription_id),
    customerId: id(row.customer_id),
    keyNumber: row.key_number,
    fullKeyNumber: row.full_key_number,
    productKey: row.product_key,
    product: row.product,
    features: fromJson(row.features, []),
    additionalKeyNumbers: fromJson(row.additional_key_numbers, []),
    status: row.status,
    source: row.source,
    expiresAt: toIso(row.expires_at),
    updatesUntil: toIso(row.updates_until),
    installedAt: toIso(row.installed_at),
    createdAt: toIso(row.created_at) ?? '',
    startsAt: toIso(row.starts_at ?? null),
    termKind: row.term_kind ?? null,
    periodMonths: row.period_months === null || row.period_months === undefined ? null : Number(row.period_months),
    keyExpiresAt: toIso(row.key_expires_at ?? null),
    revision: row.revision ?? null,
    refreshDueAt: toIso(row.refresh_due_at ?? null),
    suspendedInKeywayOnly: Boolean(Number(row.suspended_keyway_only ?? 0)),
    sync: {
      state: row.sync_state ?? null,
      lastSyncedAt: toIso(row.last_synced_at ?? null),
      ...readStoredSync(row.sync_diff),
    },
    quota: numberOrNull(row.quota),
    quotaUnit: row.quota_unit ?? null,
    quotaReserved: numberOrNull(row.quota_reserved),
    keyType: row.key_type ?? null,
    parentLicenseId: numberOrNull(row.parent_license_id),
    keyName: row.key_name ?? null,
    renewsWithSubscription:
      row.renews_with_subscription === null || row.renews_with_subscription === undefined
        ? null
        : Boolean(row.renews_with_subscription),
    decreasesUsed: Number(row.decreases_used ?? 0),
    predecessorLicenseId: id(row.predecessor_license_id ?? null),
    successorLicenseId: id(row.successor_license_id ?? null),
  };
}

const fileColumns = [
  'id',
  'license_id',
  'key_number',
  'file_name',
  'content_type',
  'size',
  'sha256',
  'revision',
  'created_at',
];

function toFileSummary(r: Record<string, unknown>): LicenseFileSummary {
  return {
    id: Number(r.id),
    keyNumber: String(r.key_number),
    fileName: String(r.file_name),
    contentType: String(r.content_type),
    size: Number(r.size),
    sha256: String(r.sha256),
    revision: (r.revision as string | null) ?? null,
    createdAt: toIso(r.created_at) ?? '',
  };
}

/** A new license's row (status `issued` unless told), as `LicenseStore.insert` writes it. */
export function newLicenseRow(input: NewLicense, now: number): Omit<LicenseRow, 'id'> & { updated_at: number } {
  return {
    request_id: input.requestId,
    configuration_id: input.configurationId,
    subscription_id: input.subscriptionId,
    customer_id: input.customerId,
    key_number: input.keyNumber,
    full_key_number: input.fullKeyNumber ?? null,
    product_key: input.productKey ?? null,
    product: input.product,
    features: JSON.stringify(input.features),
    additional_key_numbers: JSON.stringify(input.additionalKeyNumbers),
    status: input.status ?? 'issued',
    source: input.source,
    expires_at: input.expiresAt ?? null,
    updates_until: input.updatesUntil ?? null,
    installed_at: null,
    created_at: now,
    updated_at: now,
    starts_at: input.term?.startsAt ?? null,
    term_kind: input.term?.termKind ?? null,
    period_months: input.term?.periodMonths ?? null,
    key_expires_at: input.term ? input.term.keyExpiresAt : (input.expiresAt ?? null),
    revision: input.term?.revision ?? null,
    refresh_due_at: input.term?.refreshDueAt ?? null,
    quota: input.quota?.quota ?? null,
    quota_unit: input.quota?.quotaUnit ?? null,
    quota_reserved: input.quota?.quotaReserved ?? null,
    key_type: input.keyType ?? null,
    parent_license_id: input.additional?.parentLicenseId ?? null,
    key_name: input.additional?.name ?? null,
    renews_with_subscription: input.additional ? input.additional.renewsWithSubscription : null,
    decreases_used: 0,
    predecessor_license_id: input.predecessorLicenseId ?? null,
  };
}

/** A stored license file: its content with its size and sha256, in set `generation`. */
export function licenseFileRow(licenseId: number, file: NewLicenseFile, generation: number, now: number) {
  return {
    generation,
    license_id: licenseId,
    key_number: file.keyNumber,
    file_name: file.fileName,
    content_type: file.contentType,
    size: file.content.length,
    sha256: createHash('sha256').update(file.content).digest('hex'),
    revision: file.revision ?? null,
    content: file.content,
    created_at: now,
  };
}

export class LicenseStore implements LicensePort, LicenseSyncPort {
  /**
   * `firstSyncAfterMs`: a new license was just read from its KA, so the scheduled sync first
   * reads it this long after (`KEYWAY_SYNC_EVERY_HOURS`; a day when not told).
   */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly options: { firstSyncAfterMs?: number } = {},
  ) {}

  /** Inserts a license (status `issued`) and answers it as a read would. */
  async insert(db: DbOrTx, input: NewLicense): Promise<LicenseSummary> {
    const now = this.now();
    const row = newLicenseRow(input, now);
    const [id] = await db('licenses').insert({ ...row, sync_due_at: this.firstSyncDue(now) });
    return toLicenseSummary({ ...row, id: Number(id) });
  }

  /** When the scheduled sync first reads a license made at `now`. */
  firstSyncDue(now: number): number {
    return now + (this.options.firstSyncAfterMs ?? 86_400_000);
  }

  /**
   * Stores a fetched set of files as the license's latest (the installed one). Older sets are
   * kept, each with its sha256 and revision, never overwritten; a set identical to the latest
   * (same names and sha256) adds nothing. Answers whether a new set was stored. `hasNone`: the
   * caller knows the license has no files yet (it created it in this job), which saves the look.
   */
  async replaceFiles(
    db: DbOrTx,
    licenseId: number,
    files: NewLicenseFile[],
    options: { hasNone?: boolean } = {},
  ): Promise<boolean> {
    if (!files.length) return false;
    const digest = (content: Buffer) => createHash('sha256').update(content).digest('hex');
    let generation = 1;
    if (!options.hasNone) {
      const latest = await this.latestFileRows(db, licenseId);
      if (latest.length) {
        generation = Number(latest[0]?.generation) + 1;
        const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
        const key = (name: unknown, sha: unknown) => `${String(name)}\u0000${String(sha)}`;
        if (
          same(
            latest.map((r) => key(r.file_name, r.sha256)).sort(),
            files.map((f) => key(f.fileName, digest(f.content))).sort(),
          )
        )
          return false;
      }
    }
    const now = this.now();
    await db('license_files').insert(files.map((f) => licenseFileRow(licenseId, f, generation, now)));
    return true;
  }

  /** The rows of the latest file set (highest generation) of a license. */
  private async latestFileRows(db: DbOrTx, licenseId: number): Promise<Array<Record<string, unknown>>> {
    const top = await db('license_files').where({ license_id: licenseId }).max({ g: 'generation' }).first();
    if (top?.g === null || top?.g === undefined) return [];
    return db('license_files')
      .select([...fileColumns, 'generation'])
      .where({ license_id: licenseId, generation: Number(top.g) })
      .orderBy('id');
  }

  /** Every stored file of a license, newest set first: the revisions it went through. */
  async fileHistory(db: DbOrTx, licenseId: number): Promise<Array<LicenseFileSummary & { generation: number }>> {
    const rows = await db('license_files')
      .select([...fileColumns, 'generation'])
      .where({ license_id: licenseId })
      .orderBy([
        { column: 'generation', order: 'desc' },
        { column: 'id', order: 'asc' },
      ]);
    return rows.map((r) => ({ ...toFileSummary(r), generation: Number(r.generation) }));
  }

  /**
   * The key's term after a renewal or a refresh: the new dates, revision and full key number
   * (what the KA left out stays as it was). Guarded by nothing but the caller's lock: the
   * license's operation or request is held by the caller.
   */
  async updateTerm(db: DbOrTx, id: number, term: Partial<LicenseTerm>): Promise<void> {
    const update: Record<string, unknown> = { updated_at: this.now() };
    if (term.expiresAt !== undefined) update.expires_at = term.expiresAt;
    if (term.keyExpiresAt !== undefined) update.key_expires_at = term.keyExpiresAt;
    if (term.updatesUntil !== undefined) update.updates_until = term.updatesUntil;
    if (term.startsAt !== undefined) update.starts_at = term.startsAt;
    if (term.termKind !== undefined) update.term_kind = term.termKind;
    if (term.periodMonths !== undefined) update.period_months = term.periodMonths;
    if (term.revision) update.revision = term.revision;
    if (term.fullKeyNumber) update.full_key_number = term.fullKeyNumber;
    if (term.refreshDueAt !== undefined) update.refresh_due_at = term.refreshDueAt;
    await db('licenses').where({ id }).update(update);
  }

  /**
   * The key's quota facts as the KA last answered them (a change of quantity, an additional key
   * made or changed under it); what is undefined stays. Guarded by the caller's claim on the
   * license (its operation).
   */
  async updateQuota(
    db: DbOrTx,
    id: number,
    quota: Partial<LicenseQuota> & { keyName?: string | null; decreased?: boolean },
  ): Promise<void> {
    const update: Record<string, unknown> = { updated_at: this.now() };
    if (quota.quota !== undefined) update.quota = quota.quota;
    if (quota.quotaUnit !== undefined) update.quota_unit = quota.quotaUnit;
    if (quota.quotaReserved !== undefined) update.quota_reserved = quota.quotaReserved;
    if (quota.keyName !== undefined) update.key_name = quota.keyName;
    const q = db('licenses').where({ id });
    if (quota.decreased) await q.update({ ...update, decreases_used: db.raw('decreases_used + 1') });
    else await q.update(update);
  }

  /** A primary's additional keys, oldest first. */
  async listAdditional(db: DbOrTx, parentLicenseId: number): Promise<LicenseSummary[]> {
    return (await db<LicenseRow>('licenses').where({ parent_license_id: parentLicenseId }).orderBy('id')).map(
      toLicenseSummary,
    );
  }

  /**
   * Licenses whose file refresh is due, oldest due first (installed ones with a request, the
   * pipeline fetches and installs through it).
   */
  async dueForRefresh(db: DbOrTx, now: number, limit: number): Promise<LicenseSummary[]> {
    const rows = await db<LicenseRow>('licenses')
      .where('refresh_due_at', '<=', now)
      .whereIn('status', ['installed', 'files_retrieved', 'issued'])
      .whereNotNull('request_id')
      .orderBy('refresh_due_at')
      .limit(limit);
    return rows.map(toLicenseSummary);
  }

  /**
   * Claims a due refresh for one worker: moves `refresh_due_at` from what the caller read to
   * `until` (guarded), so of several workers sweeping at once exactly one takes it.
   */
  async claimRefresh(db: DbOrTx, id: number, dueAt: string, until: number): Promise<boolean> {
    return (
      (await db('licenses')
        .where({ id, refresh_due_at: Date.parse(dueAt) })
        .update({ refresh_due_at: until })) === 1
    );
  }

  setStatus(
    id: number,
    from: LicenseStatus[],
    to: LicenseStatus,
    extra: { installedAt?: number; suspendedInKeywayOnly?: boolean } = {},
  ): GuardedMove {
    return knexMove(
      'license',
      'licenses',
      id,
      from,
      to,
      () => ({
        updated_at: this.now(),
        ...(extra.installedAt === undefined ? {} : { installed_at: extra.installedAt }),
        // Only a suspended license can be suspended in Keyway only; any other status clears it.
        suspended_keyway_only: to === 'suspended' ? Boolean(extra.suspendedInKeywayOnly) : false,
      }),
      { column: 'status' },
    );
  }

  /**
   * Reads the license's status and request inside a transaction, locking its row on MySQL
   * until the transaction ends (SQLite runs one writer at a time anyway). Every transaction
   * that claims or closes a license operation takes this lock first, so they queue on one
   * row in one order instead of deadlocking.
   */
  async lockForChange(
    tx: DbOrTx,
    id: number,
  ): Promise<{ status: LicenseStatus; requestId: number | null } | undefined> {
    const query = tx<LicenseRow>('licenses').where({ id }).first('status', 'request_id');
    const row = await (dialectOf(tx) === 'mysql' ? query.forUpdate() : query);
    return row ? { status: row.status, requestId: row.request_id === null ? null : Number(row.request_id) } : undefined;
  }

  async get(db: DbOrTx, id: number): Promise<License | undefined> {
    const row = await db<LicenseRow>('licenses').where({ id }).first();
    if (!row) return undefined;
    return { ...toLicenseSummary(row), files: await this.files(db, id) };
  }

  async getByRequest(db: DbOrTx, requestId: number): Promise<License | undefined> {
    const license = await this.summaryByRequest(db, requestId);
    return license && { ...license, files: await this.files(db, license.id) };
  }

  /** The license of a request, without its files. */
  async summaryByRequest(db: DbOrTx, requestId: number): Promise<LicenseSummary | undefined> {
    const row = await db<LicenseRow>('licenses').where({ request_id: requestId }).first();
    return row ? toLicenseSummary(row) : undefined;
  }

  /** The license's installed files: its latest set (older revisions: `fileHistory`). */
  async files(db: DbOrTx, licenseId: number): Promise<LicenseFileSummary[]> {
    return (await this.latestFileRows(db, licenseId)).map(toFileSummary);
  }

  /** The contents of the latest set, for the install. */
  async fileContents(db: DbOrTx, licenseId: number): Promise<Array<LicenseFileSummary & { content: Buffer }>> {
    const ids = (await this.latestFileRows(db, licenseId)).map((r) => Number(r.id));
    if (!ids.length) return [];
    const rows = await db('license_files').whereIn('id', ids).orderBy('id');
    return rows.map((r) => ({ ...toFileSummary(r), content: Buffer.from(r.content) }));
  }

  async fileContent(
    db: DbOrTx,
    licenseId: number,
    fileId: number,
  ): Promise<(LicenseFileSummary & { content: Buffer }) | undefined> {
    const row = await db('license_files').where({ license_id: licenseId, id: fileId }).first();
    return row ? { ...toFileSummary(row), content: Buffer.from(row.content) } : undefined;
  }

  /** The license of a configuration with this key number, if any (key numbers are unique per configuration). */
  async findByKey(db: DbOrTx, configurationId: number, keyNumber: string): Promise<LicenseSummary | undefined> {
    const row = await db<LicenseRow>('licenses')
      .where({ configuration_id: configurationId, key_number: keyNumber })
      .first();
    return row ? toLicenseSummary(row) : undefined;
  }

  /** Which of `keyNumbers` some license of the configuration already holds (main keys). */
  async heldKeys(db: DbOrTx, configurationId: number, keyNumbers: string[]): Promise<Set<string>> {
    if (keyNumbers.length === 0) return new Set();
    const held = await db('licenses')
      .where({ configuration_id: configurationId })
      .whereIn('key_number', keyNumbers)
      .pluck('key_number');
    return new Set(held.map(String));
  }

  /** A renewal's new dates (and revision, when the KA names one); the key stays the same. */
  async updateRenewal(
    db: DbOrTx,
    id: number,
    input: { fullKeyNumber?: string | null; expiresAt: number | null; updatesUntil: number | null },
  ): Promise<void> {
    await db('licenses')
      .where({ id })
      .update({
        ...(input.fullKeyNumber ? { full_key_number: input.fullKeyNumber } : {}),
        expires_at: input.expiresAt,
        updates_until: input.updatesUntil,
        updated_at: this.now(),
      });
  }

  async updateFromUpload(
    db: DbOrTx,
    id: number,
    input: Pick<NewLicense, 'keyNumber' | 'fullKeyNumber' | 'additionalKeyNumbers' | 'expiresAt' | 'updatesUntil'>,
  ): Promise<void> {
    await db('licenses')
      .where({ id })
      .update({
        key_number: input.keyNumber,
        full_key_number: input.fullKeyNumber ?? null,
        additional_key_numbers: toJson(input.additionalKeyNumbers),
        expires_at: input.expiresAt ?? null,
        updates_until: input.updatesUntil ?? null,
        source: 'upload',
        updated_at: this.now(),
      });
  }

  /** Names the license that replaced this one (a migration's new license); history stays on both. */
  async linkSuccessor(db: DbOrTx, id: number, successorId: number): Promise<void> {
    await db('licenses').where({ id }).update({ successor_license_id: successorId, updated_at: this.now() });
  }

  /** Moves the license to another customer or subscription (a transfer). */
  async reassign(db: DbOrTx, id: number, owner: { customerId: number; subscriptionId: number | null }): Promise<void> {
    await db('licenses')
      .where({ id })
      .update({ customer_id: owner.customerId, subscription_id: owner.subscriptionId, updated_at: this.now() });
  }

  async listBySubscription(db: DbOrTx, subscriptionId: number): Promise<LicenseSummary[]> {
    return (await db<LicenseRow>('licenses').where({ subscription_id: subscriptionId }).orderBy('id')).map(
      toLicenseSummary,
    );
  }

  async dueForSync(
    db: DbOrTx,
    configurationId: number,
    now: number,
    limit: number,
  ): Promise<Array<{ id: number; dueAt: number }>> {
    const rows = await db('licenses')
      .select('id', 'sync_due_at')
      .where('configuration_id', configurationId)
      .where('sync_due_at', '<=', now)
      .orderBy('sync_due_at')
      .limit(limit);
    return rows.map((r) => ({ id: Number(r.id), dueAt: Number(r.sync_due_at) }));
  }

  async claimSync(db: DbOrTx, id: number, dueAt: number, until: number): Promise<boolean> {
    return (await db('licenses').where({ id, sync_due_at: dueAt }).update({ sync_due_at: until })) === 1;
  }

  async recordSync(db: DbOrTx, id: number, record: SyncRecord): Promise<void> {
    await db('licenses')
      .where({ id })
      .update({
        sync_state: record.state,
        sync_diff: storedSync(record.differences, record.error),
        last_synced_at: record.at,
        sync_due_at: record.nextDueAt,
      });
  }

  async applyKaRenewal(
    db: DbOrTx,
    id: number,
    fromKeyExpiresAt: number | null,
    term: Pick<LicenseTerm, 'keyExpiresAt' | 'expiresAt' | 'updatesUntil'>,
  ): Promise<boolean> {
    const q = db('licenses').where({ id });
    if (fromKeyExpiresAt === null) q.whereNull('key_expires_at');
    else q.where('key_expires_at', fromKeyExpiresAt);
    const update: Record<string, unknown> = { key_expires_at: term.keyExpiresAt, updated_at: this.now() };
    if (term.expiresAt !== undefined) update.expires_at = term.expiresAt;
    if (term.updatesUntil !== undefined) update.updates_until = term.updatesUntil;
    return (await q.update(update)) === 1;
  }

  async acceptKaFacts(db: DbOrTx, id: number, facts: KaFactsAccepted): Promise<void> {
    const update: Record<string, unknown> = { updated_at: this.now() };
    if (facts.keyExpiresAt !== undefined) update.key_expires_at = facts.keyExpiresAt;
    if (facts.expiresAt !== undefined) update.expires_at = facts.expiresAt;
    if (facts.updatesUntil !== undefined) update.updates_until = facts.updatesUntil;
    if (facts.features !== undefined) update.features = toJson(facts.features);
    if (facts.additionalKeyNumbers !== undefined) update.additional_key_numbers = toJson(facts.additionalKeyNumbers);
    await db('licenses').where({ id }).update(update);
  }

  async refreshNow(db: DbOrTx, id: number, now: number): Promise<void> {
    await db('licenses').where({ id }).update({ refresh_due_at: now });
  }

  /** Which of `ids` exist (a bulk job's selection by ids), read a thousand at a time. */
  async existingIds(db: DbOrTx, ids: readonly number[]): Promise<number[]> {
    const found: number[] = [];
    for (let at = 0; at < ids.length; at += 1000)
      found.push(
        ...(
          await db('licenses')
            .whereIn('id', ids.slice(at, at + 1000))
            .pluck('id')
        ).map(Number),
      );
    return found;
  }
}
