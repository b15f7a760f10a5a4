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
import { BatchWake, registerBatchJobs } from './batch/batch-wake.js';
import { type BatchDeps, ReadyBatch } from './batch/ready-batch.js';
import { LicenseRequestBatchStore } from '../features/license-requests/license-request-batch-store.js';
import { LicenseBatchStore } from '../features/licenses/license-batch-store.js';
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
  /** `termEndOf` for many subscriptions in one read (the batch pipeline). */
  termEndsOf?: BatchDeps['termEndsOf'];
}

/** The pipeline of one process: single requests, batches of ready ones, and how to start them. */
export interface Pipeline {
  pipeline: LicensePipeline;
  adapters: AdapterCache;
  batch: ReadyBatch;
  /**
   * Starts requests just made ready: a wake-up of the batch pipeline, or (batch size 1) a job
   * per request.
   */
  start(ids: number[]): Promise<void>;
  /** Starts requests the batch leaves to single jobs (a migration's): a job per request. */
  startEach(ids: number[]): Promise<void>;
}

/** Builds the pipeline; every process needs it to enqueue, only workers run its jobs. */
export function createPipeline(wiring: PipelineWiring): Pipeline {
  const adapters = new AdapterCache(wiring.configurations, wiring.metrics);
  const deps: PipelineDeps = {
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
  };
  const pipeline = new LicensePipeline(deps, wiring.queue, adapters);
  const batch = new ReadyBatch(
    {
      ...deps,
      batchRequests: new LicenseRequestBatchStore(wiring.clock),
      batchLicenses: new LicenseBatchStore(wiring.stores.licenses, wiring.clock),
      termEndsOf: wiring.termEndsOf,
    },
    adapters,
    (id, key, delayMs) => pipeline.enqueue(id, key, { delayMs }),
    wiring.config.pipeline.batchSize,
  );
  const wake = new BatchWake(wiring.queue);
  const startEach = async (ids: number[]) => {
    for (const id of ids) await pipeline.enqueue(id, { state: 'ready', attempts: 0 });
  };
  const start = async (ids: number[]) => {
    if (!ids.length) return;
    if (batch.size > 1) return wake.wake();
    await startEach(ids);
  };
  return { pipeline, adapters, batch, start, startEach };
}

/**
 * Worker role: run the pipeline's jobs. A batch holds many requests, so fewer batch jobs run
 * at once than single ones: together they keep about as many KA calls on their way.
 */
export function registerPipelineJobs(queue: JobQueue, pipeline: Pipeline, concurrency: number): void {
  queue.process<{ requestId: number }>(advanceJob, concurrency, (job) =>
    pipeline.pipeline.advance(job.payload.requestId),
  );
  registerBatchJobs(queue, pipeline.batch, Math.max(2, Math.ceil(concurrency / 8)));
}
