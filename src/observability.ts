import express, { type Express, type Router } from 'express';
import type { AppContext } from './app-context.js';
import { fetchProductsJob } from './features/ka-configurations/ka-configuration-service.js';
import { TokenStore } from './features/auth/token-store.js';
import { advanceJob } from './features/license-requests/license-request-jobs.js';
import { batchJob } from './provisioning/batch/batch-wake.js';
import { SERVICE_PROVISION_JOB } from './features/services/service-jobs.js';
import { BULK_JOB_RUN } from './features/bulk-jobs/bulk-job-work.js';
import { operationJob } from './features/licenses/license-operation-jobs.js';
import { observabilityRoutes } from './http/observability-routes.js';
import { registerScrapeCollectors } from './infra/metrics/metrics-collectors.js';

/** A worker's HTTP server when `KEYWAY_METRICS_PORT` is set: the three routes and nothing else. */
export function observabilityApp(context: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(observability(context));
  return app;
}

/**
 * Every queue Keyway's workers run: what /metrics reports, /readyz probes and the console's
 * Jobs page shows. A feature that adds a job (`queue.process`) adds its name here.
 */
export const keywayJobNames = [
  advanceJob,
  batchJob,
  operationJob,
  SERVICE_PROVISION_JOB,
  fetchProductsJob,
  BULK_JOB_RUN,
] as const;

/**
 * /healthz, /readyz and /metrics of one process, its scrape-time gauges registered once.
 * Served by the API (and by a worker given `KEYWAY_METRICS_PORT`).
 */
export function observability(context: AppContext): Router {
  const tokens = new TokenStore();
  registerScrapeCollectors(context.metrics, { db: context.db, queue: context.queue, jobNames: keywayJobNames });
  return observabilityRoutes({
    db: context.db,
    queue: context.queue,
    metrics: context.metrics,
    principalOf: (token) => tokens.findPrincipal(context.db, token),
    metricsToken: context.config.metricsToken,
    probeJobName: advanceJob,
    role: context.config.role,
  });
}
