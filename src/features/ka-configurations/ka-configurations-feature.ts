import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import type { SecretBox } from '../../infra/db/secret-box.js';
import type { Logger } from '../../infra/log/logger.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { workerActor } from '../../kernel/actor.js';
import type { KaPluginDefinition } from '../../plugin-sdk/plugin-definition.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { KaAdapterProvider } from './ka-adapter-provider.js';
import { kaConfigurationRoutes } from './ka-configuration-routes.js';
import { fetchProductsJob, KaConfigurationService } from './ka-configuration-service.js';
import type { KaConfigurationStore } from './ka-configuration-store.js';

export interface KaConfigurationsFeature {
  store: KaConfigurationStore;
  service: KaConfigurationService;
  routes: DeclaredRouter;
  /** Worker role: runs the fetch-products job. */
  registerJobs(): void;
}

/** KA configurations (the plugin instances): service, API routes and the fetch-products job. */
export function createKaConfigurationsFeature(deps: {
  db: Db;
  store: KaConfigurationStore;
  audit: AuditStore;
  plugins: KaAdapterProvider & { list(): KaPluginDefinition[] };
  /** The status of each plugin by name (the plugin host's). */
  pluginStatuses(): Promise<Map<string, string>>;
  queue: JobQueue;
  logger: Logger;
  secrets: SecretBox;
}): KaConfigurationsFeature {
  const service = new KaConfigurationService(
    deps.db,
    deps.store,
    deps.audit,
    deps.plugins,
    deps.queue,
    deps.logger,
    deps.secrets,
  );
  return {
    store: deps.store,
    service,
    routes: kaConfigurationRoutes({
      db: deps.db,
      store: deps.store,
      service,
      plugins: deps.plugins,
      pluginStatuses: deps.pluginStatuses,
    }),
    registerJobs() {
      deps.queue.process<{ configurationId: number }>(fetchProductsJob, 2, async (job) => {
        try {
          await service.fetchProducts(job.payload.configurationId, workerActor);
        } catch (err) {
          if (job.attempt >= job.maxAttempts) await service.markFetchFailed(job.payload.configurationId, workerActor);
          throw err;
        }
      });
    },
  };
}
