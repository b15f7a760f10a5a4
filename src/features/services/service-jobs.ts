import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { ServiceProvisioningService } from './service-provisioning-service.js';

/** One provisioning attempt of one service. Payload: `{serviceId}`. */
export const SERVICE_PROVISION_JOB = 'service.provision';

export interface ServiceProvisionJob {
  serviceId: number;
}

/**
 * Runs the services' jobs in this process (the worker role): provisioning attempts, at most
 * `concurrency` at a time. Lost jobs are found by the reconcile loop, a timer (see `JobQueue`).
 */
export function registerServiceJobs(queue: JobQueue, service: ServiceProvisioningService, concurrency: number): void {
  queue.process<ServiceProvisionJob>(SERVICE_PROVISION_JOB, concurrency, (job) =>
    service.provision(job.payload.serviceId),
  );
}
