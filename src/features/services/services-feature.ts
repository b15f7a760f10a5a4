import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import type { SecretBox } from '../../infra/db/secret-box.js';
import type { Logger } from '../../infra/log/logger.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { AuditStore } from '../audit/audit-store.js';
import { InstantServiceProvisioner } from './instant-service-provisioner.js';
import { ManualServiceProvisioner } from './manual-service-provisioner.js';
import { ServiceCallbackSigner } from './service-callback-signer.js';
import { ServiceProvisioningService, type ServiceRetryPolicy } from './service-provisioning-service.js';
import { serviceCallbackRoutes, servicesRoutes } from './service-routes.js';
import { WebhookServiceProvisioner } from './webhook-service-provisioner.js';

export interface ServicesFeatureOptions {
  db: Db;
  queue: JobQueue;
  audit: AuditStore;
  logger: Logger;
  /** The installation's key, which seals the callback signing secret. */
  secrets: SecretBox;
  /** Where providers reach this installation, e.g. `https://keyway.example.net` (asked at each use). */
  publicBaseUrl: () => string;
  /** Releases the subscription's license requests; must be idempotent (see `ServiceProvisioningDeps`). */
  onAllServicesReady(subscriptionId: number): Promise<void>;
  retry?: Partial<ServiceRetryPolicy>;
  /** Timeout of one webhook request. Default 10 s. */
  webhookTimeoutMs?: number;
  /** See `ServiceProvisioningDeps.leaseMs`. */
  leaseMs?: number;
}

export interface ServicesFeature {
  service: ServiceProvisioningService;
  /** Mount under /api/v1 behind authentication. */
  routes: DeclaredRouter;
  /** Mount under /api/v1 before authentication (signed provider callbacks). */
  callbackRoutes: DeclaredRouter;
}

/** Wires the services feature. Jobs are not registered here: the worker calls `registerServiceJobs`. */
export function createServicesFeature(options: ServicesFeatureOptions): ServicesFeature {
  const webhookTimeoutMs = options.webhookTimeoutMs ?? 10_000;
  const service = new ServiceProvisioningService({
    db: options.db,
    queue: options.queue,
    audit: options.audit,
    logger: options.logger.child({ component: 'services' }),
    signer: new ServiceCallbackSigner(options.db, options.secrets),
    provisioners: [
      new InstantServiceProvisioner(),
      new WebhookServiceProvisioner({ timeoutMs: webhookTimeoutMs }),
      new ManualServiceProvisioner(),
    ],
    publicBaseUrl: options.publicBaseUrl,
    onAllServicesReady: options.onAllServicesReady,
    retry: options.retry,
    // A worker must keep its hold for longer than its longest webhook call.
    leaseMs: options.leaseMs ?? Math.max(5 * 60_000, webhookTimeoutMs * 3),
  });
  return { service, routes: servicesRoutes({ service }), callbackRoutes: serviceCallbackRoutes({ service }) };
}
