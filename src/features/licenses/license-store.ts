import { createHash } from 'node:crypto';
import { type DbOrTx, dialectOf } from '../../infra/db/database.js';
import { fromJson, toIso, toJson } from '../../infra/db/rows.js';
import { type GuardedMove, knexMove } from '../audit/transition.js';

export type LicenseStatus = 'issued' | 'files_retrieved' | 'installed' | 'suspended' | 'terminated';

export interface LicenseFileSummary {
  id: number;
  keyNumber: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  revision: string | null;
  createdAt: string;
}

export interface LicenseSummary {
  id: number;
  requestId: number | null;
  configurationId: number;
  subscriptionId: number | null;
  customerId: number | null;
  keyNumber: string;
  fullKeyNumber: string | null;
  productKey: string | null;
  product: string;
  features: string[];
  additionalKeyNumbers: string[];
  status: LicenseStatus;
  source: 'online' | 'upload';
  expiresAt: string | null;
  updatesUntil: string | null;
  installedAt: string | null;
  createdAt: string;
}

export interface License extends LicenseSummary {
  files: LicenseFileSummary[];
}

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
}

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
  };
}

export interface NewLicense {
  requestId: number | null;
  configurationId: number;
  subscriptionId: number | null;
  customerId: number | null;
  keyNumber: string;
  fullKeyNumber?: string | null;
  productKey?: string | null;
  product: string;
  features: string[];
  additionalKeyNumbers: string[];
  source: 'online' | 'upload';
  expiresAt?: number | null;
  updatesUntil?: number | null;
  /** Where it starts: `issued` (a key, no files yet), or `files_retrieved` (made from uploaded files). */
  status?: 'issued' | 'files_retrieved';
}

export interface NewLicenseFile {
  keyNumber: string;
  fileName: string;
  contentType: string;
  content: Buffer;
  revision?: string | null;
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

export class LicenseStore {
  constructor(private readonly now: () => number = Date.now) {}

  /** Inserts a license (status `issued`) and answers it as a read would. */
  async insert(db: DbOrTx, input: NewLicense): Promise<LicenseSummary> {
    const now = this.now();
    const row: Omit<LicenseRow, 'id'> & { updated_at: number } = {
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
    };
    const [id] = await db('licenses').insert(row);
    return toLicenseSummary({ ...row, id: Number(id) });
  }

  /**
   * Replaces the files of a license (a re-fetch keeps one current set). `hasNone`: the caller
   * knows the license has no files yet (it created it in this job), which saves the look.
   */
  async replaceFiles(
    db: DbOrTx,
    licenseId: number,
    files: NewLicenseFile[],
    options: { hasNone?: boolean } = {},
  ): Promise<void> {
    // Delete by primary key, and only what exists: a DELETE by license_id that matches
    // nothing takes gap locks on MySQL that deadlock concurrent inserts.
    const existing = options.hasNone ? [] : await db('license_files').where({ license_id: licenseId }).pluck('id');
    if (existing.length) await db('license_files').whereIn('id', existing).delete();
    if (!files.length) return;
    const now = this.now();
    await db('license_files').insert(
      files.map((f) => ({
        license_id: licenseId,
        key_number: f.keyNumber,
        file_name: f.fileName,
        content_type: f.contentType,
        size: f.content.length,
        sha256: createHash('sha256').update(f.content).digest('hex'),
        revision: f.revision ?? null,
        content: f.content,
        created_at: now,
      })),
    );
  }

  setStatus(id: number, from: LicenseStatus[], to: LicenseStatus, extra: { installedAt?: number } = {}): GuardedMove {
    return knexMove(
      'license',
      'licenses',
      id,
      from,
      to,
      () => ({
        updated_at: this.now(),
        ...(extra.installedAt === undefined ? {} : { installed_at: extra.installedAt }),
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

  async files(db: DbOrTx, licenseId: number): Promise<LicenseFileSummary[]> {
    const rows = await db('license_files').select(fileColumns).where({ license_id: licenseId }).orderBy('id');
    return rows.map(toFileSummary);
  }

  async fileContents(db: DbOrTx, licenseId: number): Promise<Array<LicenseFileSummary & { content: Buffer }>> {
    const rows = await db('license_files').where({ license_id: licenseId }).orderBy('id');
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

  async listBySubscription(db: DbOrTx, subscriptionId: number): Promise<LicenseSummary[]> {
    return (await db<LicenseRow>('licenses').where({ subscription_id: subscriptionId }).orderBy('id')).map(
      toLicenseSummary,
    );
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
