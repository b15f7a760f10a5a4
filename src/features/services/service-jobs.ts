import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { ServiceProvisioningService } from './service-provisioning-service.js';

/** One provisioning attempt of one service. Payload: `{serviceId}`. */
export const SERVICE_PROVISION_JOB = 'service.provision';
/** Re-enqueues what the database says is due (see `reconcileServices`). */
export const SERVICE_RECONCILE_JOB = 'service.reconcile';

export interface ServiceProvisionJob {
  serviceId: number;
}

export interface RegisterServiceJobsOptions {
  /** Also run `reconcileServices` on a schedule, every this many ms (omit when the app schedules it itself). */
  reconcileEveryMs?: number;
}

/**
 * Runs the services' jobs in this process (the worker role): provisioning attempts, at most
 * `concurrency` at a time.
 */
export async function registerServiceJobs(
  queue: JobQueue,
  service: ServiceProvisioningService,
  concurrency: number,
  options: RegisterServiceJobsOptions = {},
): Promise<void> {
  queue.process<ServiceProvisionJob>(SERVICE_PROVISION_JOB, concurrency, (job) =>
    service.provision(job.payload.serviceId),
  );
  if (options.reconcileEveryMs !== undefined) {
    queue.process(SERVICE_RECONCILE_JOB, 1, async () => {
      await service.reconcileServices();
    });
    await queue.schedule(SERVICE_RECONCILE_JOB, options.reconcileEveryMs, {});
  }
}
