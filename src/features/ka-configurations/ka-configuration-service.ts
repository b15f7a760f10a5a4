import { outboxEventWriter, recordEvent } from '../events/record-event.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { SecretBox } from '../../infra/db/secret-box.js';
import type { Logger } from '../../infra/log/logger.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { KaAdapter } from '../../plugin-sdk/ka-adapter.js';
import { isKaError } from '../../plugin-sdk/ka-error.js';
import type { KaCapability, KaPluginDefinition } from '../../plugin-sdk/plugin-definition.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditStore } from '../audit/audit-store.js';
import { applyTransition } from '../audit/transition.js';
import type { KaAdapterProvider } from './ka-adapter-provider.js';
import type { KaConfigurationStore, StoredKaConfiguration } from './ka-configuration-store.js';
import { errorRecord } from './ka-error-record.js';
import {
  maskSettings,
  openSettings,
  resolveSettings,
  sealSecrets,
  secretValues,
  UnreadableSettingError,
} from './settings-values.js';
import { UnreadableSecretsAdapter } from './unreadable-secrets-adapter.js';
import { transaction } from '../../infra/db/transaction.js';

export const fetchProductsJob = 'ka-configuration.fetch-products';

/** A configuration as the API shows it: secrets masked, plugin state folded into status. */
export interface KaConfigurationView extends Omit<StoredKaConfiguration, 'status' | 'pluginName'> {
  plugin: string;
  status: StoredKaConfiguration['status'] | 'plugin_missing';
}

export interface CreateKaConfiguration {
  name: string;
  plugin: string;
  settings: Record<string, unknown>;
  enabled: boolean;
  allowedProducts: string[] | null;
  /** Key reads per second of the scheduled sync, per worker (null: the default). */
  syncCallsPerSecond?: number | null;
}

export type UpdateKaConfiguration = Partial<Omit<CreateKaConfiguration, 'plugin'>>;

export class KaConfigurationService {
  constructor(
    private readonly db: Db,
    private readonly store: KaConfigurationStore,
    private readonly audit: AuditStore,
    private readonly plugins: KaAdapterProvider,
    private readonly queue: JobQueue,
    private readonly logger: Logger,
    /** Seals secret settings before they are stored, opens them where an adapter is built. */
    private readonly secrets: SecretBox,
  ) {}

  view(config: StoredKaConfiguration): KaConfigurationView {
    const { pluginName, status, ...rest } = config;
    return {
      ...rest,
      plugin: pluginName,
      status: this.pluginMissing(config) ? 'plugin_missing' : status,
      settings: maskSettings(this.plugins.definition(pluginName)?.settings ?? [], config.settings),
    };
  }

  async get(id: number): Promise<StoredKaConfiguration> {
    const config = await this.store.get(this.db, id);
    if (!config) throw new NotFoundError('KA configuration', id);
    return config;
  }

  private definitionOf(plugin: string): KaPluginDefinition {
    const definition = this.plugins.definition(plugin);
    if (!definition) {
      throw ValidationError.forFields([{ field: 'plugin', message: 'unknown plugin' }], {
        summary: `no loaded KA plugin is called ${plugin}`,
      });
    }
    return definition;
  }

  private async assertNameFree(name: string, exceptId?: number): Promise<void> {
    const existing = await this.store.getByName(this.db, name);
    if (existing && existing.id !== exceptId)
      throw new ConflictError(`A KA configuration is already named ${name}`, 'duplicate_name', {
        details: { field: 'name' },
      });
  }

  async create(input: CreateKaConfiguration, actor: Actor): Promise<StoredKaConfiguration> {
    const definition = this.definitionOf(input.plugin);
    const settings = this.seal(definition, resolveSettings(definition.settings, input.settings));
    await this.assertNameFree(input.name);
    const id = await transaction(this.db, async (tx) => {
      const newId = await this.store.insert(tx, {
        name: input.name,
        pluginName: input.plugin,
        settings,
        enabled: input.enabled,
        allowedProducts: input.allowedProducts,
        syncCallsPerSecond: input.syncCallsPerSecond ?? null,
      });
      await this.audit.record(tx, {
        actor,
        action: 'ka_configuration.created',
        entityType: 'ka_configuration',
        entityId: newId,
        toState: 'fetching_products',
        data: { name: input.name, plugin: input.plugin },
      });
      return newId;
    });
    await this.enqueueFetch(id);
    return this.get(id);
  }

  async update(id: number, changes: UpdateKaConfiguration, actor: Actor): Promise<StoredKaConfiguration> {
    const current = await this.get(id);
    const definition = this.definitionOf(current.pluginName);
    const settings =
      changes.settings === undefined
        ? undefined
        : this.seal(definition, resolveSettings(definition.settings, changes.settings, current.settings));
    if (changes.name !== undefined) await this.assertNameFree(changes.name, id);
    // New settings or a re-enabled configuration must prove themselves against the KA again.
    const refetch = settings !== undefined || (changes.enabled === true && !current.enabled);
    await transaction(this.db, async (tx) => {
      await this.store.update(tx, id, {
        ...changes,
        settings,
        ...(refetch ? { status: 'fetching_products' as const } : {}),
      });
      await this.audit.record(tx, {
        actor,
        action: 'ka_configuration.updated',
        entityType: 'ka_configuration',
        entityId: id,
        fromState: current.status,
        toState: refetch ? 'fetching_products' : current.status,
        // Names of changed settings only: values may be secret.
        data: { changed: Object.keys(changes), settings: changes.settings ? Object.keys(changes.settings) : undefined },
      });
    });
    if (refetch) await this.enqueueFetch(id);
    return this.get(id);
  }

  private async enqueueFetch(id: number): Promise<void> {
    await this.queue.enqueue(
      fetchProductsJob,
      { configurationId: id },
      {
        jobId: `fetch-products-${id}`,
        attempts: 5,
        backoff: { initialDelayMs: 5_000, maxDelayMs: 300_000, jitter: 0.2 },
      },
    );
  }

  /** True when the configuration's plugin is not loaded in this process (or marked missing). */
  pluginMissing(config: StoredKaConfiguration): boolean {
    return !this.plugins.definition(config.pluginName) || config.pluginStatus !== 'available';
  }

  private seal(definition: KaPluginDefinition, settings: ReturnType<typeof resolveSettings>) {
    return sealSecrets(
      definition.settings.filter((d) => d.secret).map((d) => d.name),
      settings,
      this.secrets,
    );
  }

  /** The lifecycle and lookup actions the configuration's plugin declares (none when it is missing). */
  capabilities(config: StoredKaConfiguration): KaCapability[] {
    return this.plugins.definition(config.pluginName)?.capabilities ?? [];
  }

  /**
   * Builds an adapter for a stored configuration, with its secrets decrypted (the only place
   * they are); the caller closes it. When this process cannot decrypt them, the adapter fails
   * every call with a permanent error that names the configuration and says what to do.
   */
  adapterFor(config: StoredKaConfiguration): KaAdapter {
    if (!this.plugins.definition(config.pluginName))
      throw new ConflictError(`KA plugin ${config.pluginName} is missing`, 'plugin_missing');
    let settings: StoredKaConfiguration['settings'];
    try {
      settings = openSettings(config.settings, this.secrets);
    } catch (err) {
      if (!(err instanceof UnreadableSettingError)) throw err;
      const message = `KA configuration "${config.name}" (#${config.id}): ${err.message}. Run every Keyway process with the KEYWAY_SECRET_KEY (or key file) it was saved with, or enter the secret again`;
      this.logger.error({ configurationId: config.id, setting: err.setting, reason: err.error.reason }, message);
      return new UnreadableSecretsAdapter(message);
    }
    return this.plugins.createAdapter(config.pluginName, settings, config.id);
  }

  /** Connectivity and credentials check; the answer is shown to staff as is. */
  async test(id: number, actor: Actor): Promise<{ ok: boolean; message: string; error?: Record<string, unknown> }> {
    const config = await this.get(id);
    const adapter = this.adapterFor(config);
    let result: { ok: boolean; message: string; error?: Record<string, unknown> };
    try {
      result = await adapter.testConnection();
    } catch (err) {
      const error = errorRecord(err, this.secretsOf(config));
      result = { ok: false, message: String(error.message), error };
    } finally {
      await adapter.close?.();
    }
    await transaction(this.db, async (tx) => {
      await this.audit.record(tx, {
        actor,
        action: 'ka_configuration.tested',
        entityType: 'ka_configuration',
        entityId: id,
        data: { ok: result.ok, message: result.message },
      });
      if (!result.ok)
        await recordEvent(tx, {
          type: 'ka_configuration.failing',
          entityId: id,
          data: { cause: 'test', message: result.message },
        });
    });
    return result;
  }

  /** The decrypted secrets of a configuration, for scrubbing its adapter's error text. */
  secretsOf(config: StoredKaConfiguration): string[] {
    let settings: StoredKaConfiguration['settings'];
    try {
      settings = openSettings(config.settings, this.secrets);
    } catch (err) {
      // Its adapter never had them, so no error of it can quote them.
      if (err instanceof UnreadableSettingError) return [];
      throw err;
    }
    return secretValues(this.plugins.definition(config.pluginName)?.settings ?? [], settings);
  }

  /** The fetch-products job: `configured` only after the KA listed what it sells. */
  async fetchProducts(id: number, actor: Actor): Promise<void> {
    const config = await this.store.get(this.db, id);
    if (config?.status !== 'fetching_products') return;
    const adapter = this.adapterFor(config);
    try {
      const products = adapter.listProducts ? await adapter.listProducts() : [];
      await transaction(this.db, async (tx) => {
        await this.store.update(tx, id, {
          status: 'configured',
          products,
          lastError: null,
          productsFetchedAt: Date.now(),
        });
        await this.audit.record(tx, {
          actor,
          action: 'ka_configuration.products_fetched',
          entityType: 'ka_configuration',
          entityId: id,
          fromState: 'fetching_products',
          toState: 'configured',
          data: { products: products.length },
        });
      });
    } catch (err) {
      const error = errorRecord(err, this.secretsOf(config));
      const retryable = !isKaError(err) || err.retryable;
      await transaction(this.db, async (tx) => {
        await this.store.update(tx, id, { status: retryable ? 'fetching_products' : 'failing', lastError: error });
        await this.audit.record(tx, {
          actor,
          action: 'ka_configuration.products_failed',
          entityType: 'ka_configuration',
          entityId: id,
          fromState: 'fetching_products',
          toState: retryable ? 'fetching_products' : 'failing',
          error,
        });
        if (!retryable)
          await recordEvent(tx, {
            type: 'ka_configuration.failing',
            entityId: id,
            data: { cause: 'products_fetch', message: String(error.message) },
          });
      });
      this.logger.warn({ configurationId: id, error }, 'fetching KA products failed');
      // A retryable failure goes back to the queue for its backoff; a permanent one waits for staff.
      if (retryable) throw err;
    } finally {
      await adapter.close?.();
    }
  }

  /** After the queue gave up retrying: the configuration is failing until staff act. */
  async markFetchFailed(id: number, actor: Actor): Promise<void> {
    await applyTransition(this.db, { audit: this.audit, events: outboxEventWriter }, this.store.giveUpFetch(id), {
      actor,
      action: 'ka_configuration.products_given_up',
      event: { type: 'ka_configuration.failing', payload: { cause: 'products_fetch' } },
    });
  }
}
