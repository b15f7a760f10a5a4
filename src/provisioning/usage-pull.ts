import type { KaConfigurationService } from '../features/ka-configurations/ka-configuration-service.js';
import type { StoredKaConfiguration } from '../features/ka-configurations/ka-configuration-store.js';
import type { UsageRecorder } from '../features/usage/usage-recorder.js';
import type { KaFacts, UsageWatch } from '../features/usage/usage-rules.js';
import type { UsageStore } from '../features/usage/usage-store.js';
import type { UsageKaFacts } from '../features/usage/usage-watch-pass.js';
import type { Db } from '../infra/db/database.js';
import type { Logger } from '../infra/log/logger.js';
import type { AdapterCache } from './adapter-cache.js';

/** A first pull reads this far back; later ones from where the last stopped, less an overlap. */
const FIRST_PULL_MS = 35 * 24 * 60 * 60 * 1000;
/** Days still running are read again: their peak may have grown since. */
const OVERLAP_MS = 2 * 60 * 60 * 1000;

export interface UsagePullDeps {
  db: Db;
  store: UsageStore;
  recorder: UsageRecorder;
  configurations: KaConfigurationService;
  listConfigurations(): Promise<StoredKaConfiguration[]>;
  adapters: AdapterCache;
  logger: Logger;
}

/**
 * The scheduler's usage pull: every enabled KA configuration whose plugin declares `fetchUsage`
 * is asked for the days reported since its last pull, and they are recorded (idempotently: a
 * day is kept at its highest peak, so two workers pulling at once record the same rows). A
 * failing KA is logged and pulled again next period; the others go on.
 */
export class UsagePullPass {
  constructor(private readonly deps: UsagePullDeps) {}

  async runDue(now: number): Promise<{ configurations: number; recorded: number }> {
    let configurations = 0;
    let recorded = 0;
    for (const configuration of await this.deps.listConfigurations()) {
      if (!configuration.enabled || !this.deps.configurations.capabilities(configuration).includes('fetchUsage'))
        continue;
      try {
        recorded += await this.pull(configuration, now);
        configurations += 1;
      } catch (err) {
        this.deps.logger.warn({ err, configuration: configuration.id }, 'usage pull failed; it runs again next period');
      }
    }
    return { configurations, recorded };
  }

  private async pull(configuration: StoredKaConfiguration, now: number): Promise<number> {
    const adapter = this.deps.adapters.get(configuration);
    if (!adapter.fetchUsage) return 0;
    const { pulledUntil } = await this.deps.store.source(this.deps.db, configuration.id);
    const since = new Date(pulledUntil === null ? now - FIRST_PULL_MS : pulledUntil - OVERLAP_MS);
    const days = await adapter.fetchUsage({ since });
    const outcome = await this.deps.recorder.record(
      configuration.id,
      days.map((d) => ({ ...d, lastReportAt: d.lastReportAt.getTime() })),
      'pull',
    );
    const newest = Math.max(pulledUntil ?? 0, ...days.map((d) => d.lastReportAt.getTime()));
    if (newest > 0) await this.deps.store.saveSource(this.deps.db, configuration.id, { pulledUntil: newest }, now);
    return outcome.recorded;
  }
}

/**
 * What the watch pass asks the KA, through the license's configuration: whether a farm of the
 * key is held deactivated for overuse (`listActivations`), and the key's expiry (`getKeyInfo`).
 * A plugin without the method, or a KA that fails, answers "cannot tell" (undefined): the
 * watch judges without it and asks again next review.
 */
export function usageKaFacts(deps: {
  configurations: KaConfigurationService;
  adapters: AdapterCache;
  logger: Logger;
}): UsageKaFacts {
  return {
    async facts(watch: UsageWatch, needed): Promise<KaFacts> {
      const facts: KaFacts = {};
      try {
        const configuration = await deps.configurations.get(watch.configurationId);
        const adapter = deps.adapters.get(configuration);
        if (needed.farm && adapter.listActivations) {
          const farms = await adapter.listActivations(watch.keyNumber);
          const own = farms.filter((f) => f.activationKey === watch.keyNumber && f.status === 'active');
          facts.farmOverused = own.some((f) => f.overuseDeactivated === true);
        }
        if (needed.expiry && adapter.getKeyInfo) {
          const info = await adapter.getKeyInfo(watch.keyNumber);
          facts.keyExpiresAt = info.expiresAt === undefined ? undefined : (info.expiresAt?.getTime() ?? null);
        }
      } catch (err) {
        deps.logger.warn(
          { err, licenseId: watch.licenseId },
          'reading usage facts at the KA failed; asked again later',
        );
      }
      return facts;
    },
  };
}
