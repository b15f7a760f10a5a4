import { ConflictError, NotFoundError, UpstreamError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Actor } from '../../kernel/actor.js';
import type { IssuedKey, KaAdapter, KeyInfo } from '../../plugin-sdk/ka-adapter.js';
import { isKaError } from '../../plugin-sdk/ka-error.js';
import type { KaCapability } from '../../plugin-sdk/plugin-definition.js';
import type { AuditStore } from '../audit/audit-store.js';
import { applyTransition, type TransitionEventWriter } from '../audit/transition.js';
import type { KaConfigurationService } from '../ka-configurations/ka-configuration-service.js';
import { errorRecord } from '../ka-configurations/ka-error-record.js';
import type { LicenseSummary } from './license.js';
import {
  isHeld,
  isUniqueViolation,
  isWorkerRun,
  type LicenseOperation,
  type LicenseOperationState,
  LicenseOperationStore,
} from './license-operation-store.js';
import type { LicenseStore } from './license-store.js';
import { inProgress } from './operation-resolution.js';

export interface AdditionalKeysDeps {
  db: Db;
  licenses: LicenseStore;
  configurations: KaConfigurationService;
  audit: AuditStore;
  events: TransitionEventWriter;
  operations?: LicenseOperationStore;
  /** How long a claim holds its license before a crash is presumed (longer than any KA timeout). */
  leaseMs: number;
  now?: () => number;
}

/** An additional key to create: either it renews with its subscription (the default) or it has an expiry of its own. */
export interface NewAdditionalKey {
  quota: number;
  name?: string;
  renewWithSubscription?: boolean;
  expiresAt?: string;
}

/** The operation kinds additional keys claim, on the primary (creation) or on the additional key. */
const createKind = 'create_additional_key';
const modifyKind = 'modify_additional_key';
const deleteKind = 'delete_additional_key';

/** A KA configuration as the service answers it (its store's row type is the store's own). */
type Configuration = Awaited<ReturnType<KaConfigurationService['get']>>;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * Additional keys (sublicenses) of a primary key (DOMAIN.md "Primary and additional keys"):
 * create, change (quota, name) and delete, each one call to the KA made while the caller waits,
 * so a refusal reaches the caller with what is left of the primary's quota.
 *
 * Never fire-and-forget: like `LicenseLifecycle`, each call is a license operation claimed in
 * the database first (one open operation per license: a creation claims the primary, a change
 * or deletion the additional key), closed in the transaction that records its effect. A lost
 * answer is settled by reading the KA, never by sending blindly again: a creation looks for an
 * additional key of the primary that no license holds, with the quota and name asked (the
 * reference plugins also create idempotently on our reference); a change reads the key's quota
 * and name; a deletion reads whether the key is gone. What cannot be settled stays open and is
 * settled first by the next call on that license.
 */
export class AdditionalKeys {
  private readonly operations: LicenseOperationStore;
  private readonly now: () => number;

  constructor(private readonly deps: AdditionalKeysDeps) {
    this.now = deps.now ?? Date.now;
    this.operations = deps.operations ?? new LicenseOperationStore(this.now);
  }

  /** The additional keys of a primary, oldest first. */
  list(primaryId: number): Promise<LicenseSummary[]> {
    return this.deps.licenses.listAdditional(this.deps.db, primaryId);
  }

  /** The additional key `keyId` of the primary `primaryId`, or 404. */
  async getAdditional(primaryId: number, keyId: number): Promise<LicenseSummary> {
    const key = await this.deps.licenses.get(this.deps.db, keyId);
    if (!key || key.parentLicenseId !== primaryId) throw new NotFoundError('additional key', keyId);
    return key;
  }

  async create(primaryId: number, input: NewAdditionalKey, actor: Actor): Promise<LicenseSummary> {
    const primary = await this.load(primaryId);
    if (primary.keyType === 'additional' || primary.parentLicenseId !== null)
      throw new ConflictError(`License ${primary.keyNumber} is an additional key itself`, 'not_primary');
    this.requireLive(primary);
    return this.withAdapter(primary, 'createAdditionalKey', async (adapter, configuration) => {
      const open = await this.operations.openFor(this.deps.db, primary.id);
      if (open?.kind === createKind && !isHeld(open, this.now())) await this.settleCreation(open, primary, adapter);
      const operation = await this.claim(primary, createKind, { ...input }, actor);
      let key: IssuedKey;
      let from: LicenseOperationState = 'in_progress';
      try {
        key = await (adapter.createAdditionalKey as NonNullable<KaAdapter['createAdditionalKey']>).call(
          adapter,
          primary.keyNumber,
          {
            quota: input.quota,
            name: input.name,
            reference: operation.reference,
            ...(input.expiresAt
              ? { expiresAt: new Date(input.expiresAt) }
              : { renewWithSubscription: input.renewWithSubscription ?? true }),
          },
        );
      } catch (err) {
        const error = errorRecord(err, this.deps.configurations.secretsOf(configuration));
        if (isKaError(err) && !err.outcomeUnknown) {
          await this.failed(operation, 'in_progress', primary, error, actor);
          throw refusal(err, `create an additional key of ${primary.keyNumber}`, error);
        }
        await this.operations.markOutcomeUnknown(this.deps.db, operation.id, error);
        const found = await this.findCreated(primary, operation, adapter);
        if (!found) {
          if (found === null) await this.failed(operation, 'outcome_unknown', primary, error, actor);
          throw new UpstreamError(
            found === null
              ? `The KA did not create the additional key of ${primary.keyNumber} (read after a lost answer): nothing was created; send again`
              : `The KA may or may not have created the additional key of ${primary.keyNumber}; operation ${operation.id} stays open and the next creation reads the KA first`,
            { details: { error, operation: { id: operation.id } } },
          );
        }
        key = found;
        from = 'outcome_unknown';
      }
      const created = await this.recordCreated(operation, from, primary, key, actor);
      await this.refreshPrimary(primary, adapter);
      return created;
    });
  }

  async modify(
    primaryId: number,
    keyId: number,
    change: { quota?: number; name?: string },
    actor: Actor,
  ): Promise<LicenseSummary> {
    const primary = await this.load(primaryId);
    const key = await this.getAdditional(primaryId, keyId);
    this.requireLive(key);
    return this.withAdapter(key, 'modifyAdditionalKey', async (adapter, configuration) => {
      const operation = await this.claim(key, modifyKind, { ...change }, actor);
      let answer: IssuedKey | KeyInfo;
      let from: LicenseOperationState = 'in_progress';
      try {
        answer = await (adapter.modifyAdditionalKey as NonNullable<KaAdapter['modifyAdditionalKey']>).call(
          adapter,
          key.keyNumber,
          change,
        );
      } catch (err) {
        const error = errorRecord(err, this.deps.configurations.secretsOf(configuration));
        if (isKaError(err) && !err.outcomeUnknown) {
          await this.failed(operation, 'in_progress', key, error, actor);
          throw refusal(err, `change additional key ${key.keyNumber}`, error);
        }
        await this.operations.markOutcomeUnknown(this.deps.db, operation.id, error);
        // Setting is idempotent at the KA: the key as it reads now says whether it took.
        const info = await adapter.getKeyInfo?.(key.keyNumber).catch(() => undefined);
        const took =
          info &&
          (change.quota === undefined || info.quota === change.quota) &&
          (change.name === undefined || info.name === undefined || info.name === change.name);
        if (!info || !took) {
          await this.failed(operation, 'outcome_unknown', key, error, actor);
          throw new UpstreamError(
            `The KA did not confirm the change of additional key ${key.keyNumber}: ${String(error.message)}; nothing is recorded, send it again`,
            { details: { error } },
          );
        }
        answer = info;
        from = 'outcome_unknown';
      }
      await transaction(this.deps.db, async (tx) => {
        if (!(await this.operations.close(tx, operation.id, from, 'succeeded', { result: { quota: answer.quota } })))
          throw settledElsewhere(operation, key);
        await this.deps.licenses.updateQuota(tx, key.id, {
          quota: answer.quota ?? change.quota ?? key.quota,
          ...(change.name !== undefined ? { keyName: answer.name ?? change.name } : {}),
        });
        await this.deps.audit.record(tx, {
          actor,
          action: 'license.additional_key_changed',
          entityType: 'license',
          entityId: key.id,
          data: {
            operationId: operation.id,
            primaryLicenseId: primary.id,
            previousQuota: key.quota,
            quota: answer.quota ?? change.quota ?? key.quota,
            ...(change.name !== undefined ? { previousName: key.keyName, name: change.name } : {}),
            ...(from === 'outcome_unknown' ? { confirmedByReadingTheKey: true } : {}),
          },
        });
      });
      await this.refreshPrimary(primary, adapter);
      return this.load(key.id);
    });
  }

  /** Deletes an additional key at its KA (which deactivates its farm); the license is `terminated`. */
  async remove(primaryId: number, keyId: number, actor: Actor): Promise<LicenseSummary> {
    const primary = await this.load(primaryId);
    const key = await this.getAdditional(primaryId, keyId);
    this.requireLive(key);
    return this.withAdapter(key, 'deleteAdditionalKey', async (adapter, configuration) => {
      const operation = await this.claim(key, deleteKind, {}, actor);
      let from: LicenseOperationState = 'in_progress';
      try {
        await (adapter.deleteAdditionalKey as NonNullable<KaAdapter['deleteAdditionalKey']>).call(
          adapter,
          key.keyNumber,
        );
      } catch (err) {
        const error = errorRecord(err, this.deps.configurations.secretsOf(configuration));
        if (isKaError(err) && !err.outcomeUnknown) {
          await this.failed(operation, 'in_progress', key, error, actor);
          throw refusal(err, `delete additional key ${key.keyNumber}`, error);
        }
        await this.operations.markOutcomeUnknown(this.deps.db, operation.id, error);
        const gone = await this.isGone(adapter, key.keyNumber);
        if (!gone) {
          await this.failed(operation, 'outcome_unknown', key, error, actor);
          throw new UpstreamError(
            `The KA did not confirm the deletion of additional key ${key.keyNumber}: ${String(error.message)}; send it again`,
            { details: { error } },
          );
        }
        from = 'outcome_unknown';
      }
      await transaction(this.deps.db, async (tx) => {
        if (!(await this.operations.close(tx, operation.id, from, 'succeeded', { result: { deleted: true } })))
          throw settledElsewhere(operation, key);
        await applyTransition(
          tx,
          this.deps,
          this.deps.licenses.setStatus(key.id, ['issued', 'files_retrieved', 'installed', 'suspended'], 'terminated'),
          {
            actor,
            action: 'license.additional_key_deleted',
            data: {
              operationId: operation.id,
              primaryLicenseId: primary.id,
              keyNumber: key.keyNumber,
              quota: key.quota,
              ...(from === 'outcome_unknown' ? { confirmedByReadingTheKey: true } : {}),
            },
          },
        );
      });
      await this.refreshPrimary(primary, adapter);
      return this.load(key.id);
    });
  }

  /** Settles a creation whose answer was lost (found by a later call on the primary): recorded, failed, or left open. */
  private async settleCreation(open: LicenseOperation, primary: LicenseSummary, adapter: KaAdapter): Promise<void> {
    const taken = await this.operations.takeForResolution(this.deps.db, open.id, this.now() + this.deps.leaseMs);
    if (!taken) throw inProgress(open, { ...primary, files: [] }, this.now());
    const found = await this.findCreated(primary, taken, adapter);
    if (found === undefined) {
      await this.operations.releaseUnresolved(this.deps.db, taken.id, {
        message: 'the KA could not tell whether the additional key was created',
      });
      throw new UpstreamError(
        `An earlier creation of an additional key of ${primary.keyNumber} (operation ${open.id}) cannot be settled yet: the KA could not be read; try again later`,
      );
    }
    if (found === null) await this.failed(taken, 'outcome_unknown', primary, { message: 'not created' }, taken.actor);
    else await this.recordCreated(taken, 'outcome_unknown', primary, found, taken.actor);
  }

  /**
   * The additional key an unknown creation made, read at the KA: among the primary's additional
   * keys, the one no license holds with the quota (and name) asked. `null`: proved none;
   * `undefined`: the KA could not tell (unreadable, or several fit).
   */
  private async findCreated(
    primary: LicenseSummary,
    operation: LicenseOperation,
    adapter: KaAdapter,
  ): Promise<IssuedKey | null | undefined> {
    if (!adapter.getKeyInfo) return undefined;
    const asked = operation.parameters as Partial<NewAdditionalKey>;
    try {
      const parent = await adapter.getKeyInfo(primary.keyNumber);
      const held = await this.deps.licenses.heldKeys(
        this.deps.db,
        primary.configurationId,
        parent.additionalKeyNumbers,
      );
      const loose = parent.additionalKeyNumbers.filter((k) => !held.has(k));
      const infos = await Promise.all(
        loose.map((k) => (adapter.getKeyInfo as NonNullable<typeof adapter.getKeyInfo>)(k)),
      );
      const fits = infos.filter(
        (i) =>
          !i.terminated &&
          i.quota === asked.quota &&
          (asked.name === undefined || i.name === undefined || i.name === asked.name),
      );
      if (fits.length > 1) return undefined;
      return fits[0] ?? null;
    } catch {
      return undefined;
    }
  }

  private async recordCreated(
    operation: LicenseOperation,
    from: LicenseOperationState,
    primary: LicenseSummary,
    key: IssuedKey,
    actor: Actor,
  ): Promise<LicenseSummary> {
    const asked = operation.parameters as Partial<NewAdditionalKey>;
    const renewsWithSubscription = key.renewsWithSubscription ?? !asked.expiresAt;
    return transaction(this.deps.db, async (tx) => {
      if (!(await this.operations.close(tx, operation.id, from, 'succeeded', { result: { keyNumber: key.keyNumber } })))
        throw settledElsewhere(operation, primary);
      const expiresAt = key.expiresAt ? key.expiresAt.getTime() : null;
      const created = await this.deps.licenses.insert(tx, {
        requestId: null,
        configurationId: primary.configurationId,
        subscriptionId: primary.subscriptionId,
        customerId: primary.customerId,
        keyNumber: key.keyNumber,
        fullKeyNumber: key.fullKeyNumber ?? null,
        productKey: key.productKey ?? null,
        product: primary.product,
        features: primary.features,
        additionalKeyNumbers: [],
        source: 'online',
        expiresAt,
        updatesUntil: key.updatesUntil ? key.updatesUntil.getTime() : null,
        term: {
          startsAt: key.startsAt ? key.startsAt.getTime() : null,
          keyExpiresAt: expiresAt,
          termKind: key.termKind ?? primary.termKind,
          periodMonths: key.periodMonths ?? primary.periodMonths,
          revision: key.revision ?? null,
        },
        quota: {
          quota: key.quota ?? asked.quota ?? null,
          quotaUnit: key.quotaUnit ?? primary.quotaUnit,
          quotaReserved: null,
        },
        keyType: 'additional',
        additional: {
          parentLicenseId: primary.id,
          name: key.name ?? asked.name ?? null,
          renewsWithSubscription,
        },
      });
      await this.deps.audit.record(tx, {
        actor,
        action: 'license.additional_key_created',
        entityType: 'license',
        entityId: created.id,
        toState: 'issued',
        data: {
          operationId: operation.id,
          primaryLicenseId: primary.id,
          keyNumber: key.keyNumber,
          quota: created.quota,
          renewsWithSubscription,
          expiresAt: iso(key.expiresAt),
          ...(from === 'outcome_unknown' ? { confirmedByReadingTheKey: true } : {}),
        },
      });
      return created;
    });
  }

  /** The primary's quota facts as the KA now holds them (best effort: a failed read leaves the last ones). */
  private async refreshPrimary(primary: LicenseSummary, adapter: KaAdapter): Promise<void> {
    const info = await adapter.getKeyInfo?.(primary.keyNumber).catch(() => undefined);
    if (!info) return;
    await this.deps.licenses.updateQuota(this.deps.db, primary.id, {
      ...(info.quota !== undefined ? { quota: info.quota } : {}),
      ...(info.quotaReserved !== undefined ? { quotaReserved: info.quotaReserved } : {}),
    });
  }

  private async isGone(adapter: KaAdapter, keyNumber: string): Promise<boolean> {
    if (!adapter.getKeyInfo) return false;
    try {
      return (await adapter.getKeyInfo(keyNumber)).terminated;
    } catch (err) {
      return isKaError(err) && err.code === 'not_found';
    }
  }

  /**
   * Opens the operation on `license` in a transaction that locks its row first; an open
   * operation refuses the claim (409 naming it), and so does the unique `open_license_id`.
   */
  private async claim(
    license: LicenseSummary,
    kind: string,
    parameters: Record<string, unknown>,
    actor: Actor,
  ): Promise<LicenseOperation> {
    const { db, licenses } = this.deps;
    try {
      return await transaction(db, async (tx) => {
        await licenses.lockForChange(tx, license.id);
        const open = await this.operations.openFor(tx, license.id);
        if (open) throw inProgress(open, { ...license, files: [] }, this.now());
        return await this.operations.insert(tx, {
          licenseId: license.id,
          kind,
          parameters,
          before: {
            status: license.status,
            expiresAt: license.keyExpiresAt ?? license.expiresAt,
            updatesUntil: license.updatesUntil,
            fullKeyNumber: license.fullKeyNumber,
          },
          actor,
          leaseUntil: this.now() + this.deps.leaseMs,
        });
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const open = await this.operations.openFor(db, license.id);
      if (open && !isWorkerRun(open)) throw inProgress(open, { ...license, files: [] }, this.now());
      throw err;
    }
  }

  private async failed(
    operation: LicenseOperation,
    from: LicenseOperationState,
    license: LicenseSummary,
    error: Record<string, unknown>,
    actor: Actor,
  ): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      if (!(await this.operations.close(tx, operation.id, from, 'failed', { lastError: error }))) return;
      await this.deps.audit.record(tx, {
        actor,
        action: 'license_operation.failed',
        entityType: 'license_operation',
        entityId: operation.id,
        toState: 'failed',
        data: { licenseId: license.id, keyNumber: license.keyNumber, kind: operation.kind, error },
      });
    });
  }

  private async withAdapter<T>(
    license: LicenseSummary,
    capability: KaCapability,
    run: (adapter: KaAdapter, configuration: Configuration) => Promise<T>,
  ): Promise<T> {
    const { configurations } = this.deps;
    const configuration = await configurations.get(license.configurationId);
    const adapter = configurations.adapterFor(configuration);
    try {
      if (!configurations.capabilities(configuration).includes(capability) || !adapter[capability])
        throw new ConflictError(
          `The KA plugin ${configuration.pluginName} of ${configuration.name} cannot ${capability}`,
          'not_supported',
          { details: { plugin: configuration.pluginName, action: capability } },
        );
      return await run(adapter, configuration);
    } finally {
      await adapter.close?.();
    }
  }

  private requireLive(license: LicenseSummary): void {
    if (license.status === 'terminated')
      throw new ConflictError(`License ${license.keyNumber} is terminated`, 'invalid_state', {
        details: { status: license.status },
      });
  }

  private async load(id: number): Promise<LicenseSummary> {
    const license = await this.deps.licenses.get(this.deps.db, id);
    if (!license) throw new NotFoundError('license', id);
    return license;
  }
}

/**
 * A KA refusal as the caller sees it: a quota that does not fit is a 409 naming what is left
 * (`remaining`, from the KA's structured answer); another business rule a 409 with the KA's
 * words; anything else a 502 with the classified error.
 */
function refusal(err: Error & { code?: string }, what: string, error: Record<string, unknown>): Error {
  const quota = isKaError(err) ? err.quota : undefined;
  if (isKaError(err) && err.code === 'business_rule' && quota?.remaining !== undefined)
    return new ConflictError(
      `The KA refused to ${what}: only ${quota.remaining}${quota.unit ? ` ${quota.unit}` : ''} of the primary's quota are left`,
      'quota_exceeded',
      { details: { field: 'quota', remaining: quota.remaining, unit: quota.unit ?? null } },
    );
  if (isKaError(err) && err.code === 'business_rule')
    return new ConflictError(`The KA refused to ${what}: ${err.message}`, 'refused_by_ka', { details: { error } });
  return new UpstreamError(`The KA did not ${what}: ${String(error.message)}`, { details: { error } });
}

function settledElsewhere(operation: LicenseOperation, license: LicenseSummary): ConflictError {
  return new ConflictError(
    `Operation ${operation.id} on key ${license.keyNumber} was settled elsewhere meanwhile; reload the license`,
    'operation_settled_elsewhere',
  );
}
