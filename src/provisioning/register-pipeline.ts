import type { Config } from '../config/config.js';
import type { AuditStore } from '../features/audit/audit-store.js';
import type { TransitionEventWriter } from '../features/audit/transition.js';
import type { KaConfigurationService } from '../features/ka-configurations/ka-configuration-service.js';
import { advanceJob } from '../features/license-requests/license-request-jobs.js';
import type { LicenseRequestStore } from '../features/license-requests/license-request-store.js';
import type { LicenseStore } from '../features/licenses/license-store.js';
import type { Db } from '../infra/db/database.js';
import type { Logger } from '../infra/log/logger.js';
import type { KeywayMetrics } from '../infra/metrics/metrics.js';
import type { JobQueue } from '../infra/queue/job-queue.js';
import { AdapterCache } from './adapter-cache.js';
import { LicensePipeline } from './license-pipeline.js';
import type { PipelineDeps } from './pipeline-deps.js';

/** What the composition root hands the pipeline. */
export interface PipelineWiring {
  config: Config;
  logger: Logger;
  db: Db;
  queue: JobQueue;
  clock: () => number;
  stores: { licenseRequests: LicenseRequestStore; licenses: LicenseStore; audit: AuditStore };
  configurations: KaConfigurationService;
  metrics?: KeywayMetrics;
  /** The outbox, written with the pipeline's transitions that have an event. */
  events: TransitionEventWriter;
  /** The end of a subscription's term: the real expiry of a leased key (see `PipelineDeps.termEndOf`). */
  termEndOf?(subscriptionId: number): Promise<number | null>;
  /** A migration's new license installed (see `PipelineDeps.onMigrationInstalled`). */
  onMigrationInstalled?: PipelineDeps['onMigrationInstalled'];
}

/** Builds the pipeline; every process needs it to enqueue, only workers run its jobs. */
export function createPipeline(wiring: PipelineWiring): { pipeline: LicensePipeline; adapters: AdapterCache } {
  const adapters = new AdapterCache(wiring.configurations, wiring.metrics);
  const pipeline = new LicensePipeline(
    {
      db: wiring.db,
      requests: wiring.stores.licenseRequests,
      licenses: wiring.stores.licenses,
      audit: wiring.stores.audit,
      events: wiring.events,
      configurations: wiring.configurations,
      policy: wiring.config.pipeline,
      logger: wiring.logger.child({ component: 'pipeline' }),
      now: wiring.clock,
      metrics: wiring.metrics,
      termEndOf: wiring.termEndOf,
      onMigrationInstalled: wiring.onMigrationInstalled,
    },
    wiring.queue,
    adapters,
  );
  return { pipeline, adapters };
}

/** Worker role: run the pipeline's jobs. */
export function registerPipelineJobs(queue: JobQueue, pipeline: LicensePipeline, concurrency: number): void {
  queue.process<{ requestId: number }>(advanceJob, concurrency, (job) => pipeline.advance(job.payload.requestId));
}
