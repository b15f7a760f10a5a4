import type { AppContext } from '../app-context.js';
import { workerActor } from '../features/audit/audit-event.js';
import {
  fetchProductsJob,
  type KaConfigurationService,
} from '../features/ka-configurations/ka-configuration-service.js';
import { AdapterCache } from './adapter-cache.js';
import { advanceJob } from '../features/license-requests/license-request-jobs.js';
import { LicensePipeline } from './license-pipeline.js';

/** Builds the pipeline; every process needs it to enqueue, only workers run its jobs. */
export function createPipeline(
  context: AppContext,
  configurations: KaConfigurationService,
): { pipeline: LicensePipeline; adapters: AdapterCache } {
  const adapters = new AdapterCache(configurations);
  const pipeline = new LicensePipeline(
    {
      db: context.db,
      requests: context.stores.licenseRequests,
      licenses: context.stores.licenses,
      audit: context.stores.audit,
      events: context.events,
      configurations,
      policy: context.config.pipeline,
      logger: context.logger.child({ component: 'pipeline' }),
      now: Date.now,
    },
    context.queue,
    adapters,
  );
  // Requests released by the services feature (or made ready by staff) start at once.
  context.licenseRequestsReady.push(async (ids) => {
    for (const id of ids) await pipeline.enqueue(id, { state: 'ready', attempts: 0 });
  });
  return { pipeline, adapters };
}

/** Worker role: run the pipeline's jobs. */
export function registerPipelineJobs(
  context: AppContext,
  parts: ReturnType<typeof createPipeline>,
  configurations: KaConfigurationService,
): void {
  const { queue, config } = context;
  queue.process<{ requestId: number }>(advanceJob, config.pipeline.concurrency, (job) =>
    parts.pipeline.advance(job.payload.requestId),
  );
  queue.process<{ configurationId: number }>(fetchProductsJob, 2, async (job) => {
    try {
      await configurations.fetchProducts(job.payload.configurationId, workerActor);
    } catch (err) {
      if (job.attempt >= job.maxAttempts) await configurations.markFetchFailed(job.payload.configurationId);
      throw err;
    }
  });
}
