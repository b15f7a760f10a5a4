import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import type { Logger } from '../../infra/log/logger.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { ProvisioningEngine } from '../../provisioning/engine/provisioning-engine.js';
import type { AuditWriter } from '../audit/audit-store.js';
import type { BulkTarget } from './bulk-action.js';
import type { BulkActionRegistry } from './bulk-action-registry.js';
import { bulkJobRoutes } from './bulk-job-routes.js';
import { BulkJobService } from './bulk-job-service.js';
import { BulkJobStore } from './bulk-job-store.js';
import {
  BULK_JOB_RUN,
  type BulkJobRunJob,
  BulkJobWork,
  type BulkJobWorkOptions,
  type HeldBatch,
} from './bulk-job-work.js';
import type { SelectionSource } from './selection-source.js';

export interface BulkJobsFeature {
  service: BulkJobService;
  actions: BulkActionRegistry;
  /** The workers' machine: `engine.run(bulkJobId)` is one queue job's work; the reconciler runs `engine.reconcile()`. */
  engine: ProvisioningEngine<HeldBatch>;
  routes: DeclaredRouter;
  /** Worker role: runs the bulk jobs' queue jobs, at most `concurrency` at once. */
  registerJobs(concurrency: number): void;
}

export interface BulkJobsFeatureDeps {
  db: Db;
  queue: JobQueue;
  audit: AuditWriter;
  logger: Logger;
  /** Every action bulk jobs may run (registered by the composition root). */
  actions: BulkActionRegistry;
  /** Where selections of each kind of target come from (the licenses' and license requests' lists). */
  sources: Record<BulkTarget, SelectionSource>;
  /** How long a claim holds its items (the pipeline's lease: longer than any KA call). */
  leaseMs: number;
  /** How overdue a job's progress must be before the reconciler enqueues it again. */
  graceMs: number;
  /** Queue jobs started per bulk job, so that as many workers share it. Default 2. */
  workersPerJob?: number;
  options?: Partial<Omit<BulkJobWorkOptions, 'leaseMs'>>;
  now?: () => number;
}

/** Wires bulk jobs: the store, the service the API and console call, and the workers' engine. */
export function createBulkJobsFeature(deps: BulkJobsFeatureDeps): BulkJobsFeature {
  const now = deps.now ?? Date.now;
  const store = new BulkJobStore(now);
  const work = new BulkJobWork({
    db: deps.db,
    store,
    actions: deps.actions,
    audit: deps.audit,
    queue: deps.queue,
    logger: deps.logger.child({ component: 'bulk-jobs' }),
    options: { leaseMs: deps.leaseMs, parallel: 4, flushMs: 250, maxAttempts: 10, ...deps.options },
    now,
  });
  const engine = new ProvisioningEngine(work, {
    leaseMs: deps.leaseMs,
    graceMs: deps.graceMs,
    // A job hands on after half the lease anyway; the bound is that time, not a count of batches.
    maxStepsPerJob: 100_000,
    now,
  });
  const workersPerJob = deps.workersPerJob ?? 2;
  const service = new BulkJobService({
    db: deps.db,
    store,
    actions: deps.actions,
    sources: deps.sources,
    audit: deps.audit,
    async start(jobId) {
      for (let i = 0; i < workersPerJob; i++)
        await work.enqueue(jobId, { state: 'running', attempts: 0 }, { idSuffix: `w${i}` });
    },
  });
  return {
    service,
    actions: deps.actions,
    engine,
    routes: bulkJobRoutes({ service }),
    registerJobs(concurrency) {
      deps.queue.process<BulkJobRunJob>(BULK_JOB_RUN, concurrency, (job) => engine.run(job.payload.bulkJobId));
    },
  };
}
