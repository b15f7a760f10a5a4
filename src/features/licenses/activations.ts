import { ConflictError, NotFoundError, UpstreamError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Actor } from '../../kernel/actor.js';
import type { FarmActivation, KaAdapter } from '../../plugin-sdk/ka-adapter.js';
import { isKaError } from '../../plugin-sdk/ka-error.js';
import type { KaCapability } from '../../plugin-sdk/plugin-definition.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { KaConfigurationService } from '../ka-configurations/ka-configuration-service.js';
import { errorRecord } from '../ka-configurations/ka-error-record.js';
import type { LicenseSummary } from './license.js';
import type { ActivationStore, LicenseActivation } from './activation-store.js';
import type { LicenseStore } from './license-store.js';

export interface ActivationsDeps {
  db: Db;
  licenses: LicenseStore;
  configurations: KaConfigurationService;
  audit: AuditStore;
  store: ActivationStore;
  now?: () => number;
}

/** A license's farms as answered: from the KA just now, or the last reading when the KA could not be read. */
export interface ActivationList {
  data: LicenseActivation[];
  /** When the farms were read from the KA (null: never). */
  readAt: string | null;
  /** True when the KA could not be read now and `data` is the last reading. */
  stale: boolean;
  error?: Record<string, unknown>;
  /** Activations that are active now, and the moves left of each active key. */
  active: number;
}

/**
 * The activations (farms) of a license at its KA (DOMAIN.md "Activations and farms"): read from
 * the KA on demand (`listActivations`) and kept with the time read, so a KA that cannot be read
 * still answers its last reading (marked stale); deactivated in bulk (`deactivate`, idempotent
 * at the KA: a lost answer is settled by reading the farms again); a note Keyway keeps per farm.
 */
export class Activations {
  private readonly now: () => number;

  constructor(private readonly deps: ActivationsDeps) {
    this.now = deps.now ?? Date.now;
  }

  async list(licenseId: number, filter: { status?: 'active' | 'deactivated' } = {}): Promise<ActivationList> {
    const license = await this.load(licenseId);
    let error: Record<string, unknown> | undefined;
    try {
      await this.withAdapter(license, 'listActivations', (adapter) => this.readFromKa(license, adapter));
    } catch (err) {
      if (err instanceof ConflictError) throw err;
      error = errorRecord(err);
      if ((await this.deps.store.readAt(this.deps.db, license.id)) === undefined)
        throw new UpstreamError(`The KA did not list the farms of key ${license.keyNumber}: ${String(error.message)}`, {
          details: { error },
        });
    }
    return this.cached(license.id, filter, error);
  }

  /** Deactivates the active farm of each activation key (the key or its additional keys); each key becomes free for another farm. */
  async deactivate(licenseId: number, activationKeys: string[], actor: Actor): Promise<ActivationList> {
    const license = await this.load(licenseId);
    await this.withAdapter(license, 'deactivate', async (adapter, secrets) => {
      try {
        await (adapter.deactivate as NonNullable<KaAdapter['deactivate']>).call(
          adapter,
          license.keyNumber,
          activationKeys,
        );
      } catch (err) {
        const error = errorRecord(err, secrets);
        if (isKaError(err) && !err.outcomeUnknown) {
          if (err.code === 'not_found' || err.code === 'permission_denied' || err.code === 'bad_request')
            throw new ConflictError(
              `The KA refused to deactivate ${activationKeys.join(', ')}: ${err.message}`,
              'refused_by_ka',
              { details: { field: 'activationKeys', error } },
            );
          throw new UpstreamError(`The KA did not deactivate the farms: ${String(error.message)}`, {
            details: { error },
          });
        }
        // Idempotent at the KA: the farms as they read now say whether it took.
        const farms = await this.readFromKa(license, adapter).catch(() => undefined);
        const stillActive = farms?.filter((f) => f.status === 'active' && activationKeys.includes(f.activationKey));
        if (!farms || stillActive?.length)
          throw new UpstreamError(
            `The KA may not have deactivated ${activationKeys.join(', ')}: ${String(error.message)}; send it again`,
            { details: { error } },
          );
      }
      await this.readFromKa(license, adapter).catch(() => undefined);
    });
    await this.deps.audit.record(this.deps.db, {
      actor,
      action: 'license.farms_deactivated',
      entityType: 'license',
      entityId: license.id,
      data: { keyNumber: license.keyNumber, activationKeys },
    });
    return this.cached(license.id, {});
  }

  /** Keyway's note on one farm of the license (as last read); null removes it. */
  async setNote(
    licenseId: number,
    farm: { activationKey: string; serverId?: string | null },
    note: string | null,
    actor: Actor,
  ): Promise<LicenseActivation> {
    const license = await this.load(licenseId);
    const known = (await this.deps.store.list(this.deps.db, license.id)).find(
      (f) => f.activationKey === farm.activationKey && (farm.serverId === undefined || f.serverId === farm.serverId),
    );
    if (!known) throw new NotFoundError('farm', `${farm.activationKey}${farm.serverId ? `@${farm.serverId}` : ''}`);
    await transaction(this.deps.db, async (tx) => {
      await this.deps.store.setNote(tx, license.id, known, note, this.now());
      await this.deps.audit.record(tx, {
        actor,
        action: 'license.farm_noted',
        entityType: 'license',
        entityId: license.id,
        data: { activationKey: known.activationKey, serverId: known.serverId, note },
      });
    });
    const farms = await this.deps.store.list(this.deps.db, license.id);
    return farms.find((f) => f.activationKey === known.activationKey && f.serverId === known.serverId) ?? known;
  }

  private async readFromKa(license: LicenseSummary, adapter: KaAdapter): Promise<FarmActivation[]> {
    const farms = await (adapter.listActivations as NonNullable<KaAdapter['listActivations']>).call(
      adapter,
      license.keyNumber,
    );
    await transaction(this.deps.db, (tx) => this.deps.store.replace(tx, license.id, farms, this.now()));
    return farms;
  }

  private async cached(
    licenseId: number,
    filter: { status?: 'active' | 'deactivated' },
    error?: Record<string, unknown>,
  ): Promise<ActivationList> {
    const [data, all, readAt] = await Promise.all([
      this.deps.store.list(this.deps.db, licenseId, filter),
      filter.status ? this.deps.store.list(this.deps.db, licenseId) : undefined,
      this.deps.store.readAt(this.deps.db, licenseId),
    ]);
    return {
      data,
      readAt: readAt === undefined ? null : new Date(readAt).toISOString(),
      stale: error !== undefined,
      ...(error ? { error } : {}),
      active: (all ?? data).filter((f) => f.status === 'active').length,
    };
  }

  private async withAdapter<T>(
    license: LicenseSummary,
    capability: KaCapability,
    run: (adapter: KaAdapter, secrets: string[]) => Promise<T>,
  ): Promise<T> {
    const { configurations } = this.deps;
    const configuration = await configurations.get(license.configurationId);
    if (!configurations.capabilities(configuration).includes(capability))
      throw new ConflictError(
        `The KA plugin ${configuration.pluginName} of ${configuration.name} cannot ${capability}`,
        'not_supported',
        { details: { plugin: configuration.pluginName, action: capability } },
      );
    const adapter = configurations.adapterFor(configuration);
    try {
      return await run(adapter, configurations.secretsOf(configuration));
    } finally {
      await adapter.close?.();
    }
  }

  private async load(id: number): Promise<LicenseSummary> {
    const license = await this.deps.licenses.get(this.deps.db, id);
    if (!license) throw new NotFoundError('license', id);
    return license;
  }
}
