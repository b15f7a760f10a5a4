import { Router } from 'express';
import type { ApiOperation } from '../../http/openapi/api-operation.js';
import { allow } from '../../http/access.js';
import { admins } from '../../kernel/principal.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';

/** The process's metrics in Prometheus' text format, for admins (a scraper uses an admin token). */
export function metricsRoutes(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', allow(...admins), async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}

/** The operations of `metricsRoutes`, for the API document. */
export const metricsOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/metrics',
    summary: 'Metrics (Prometheus text format)',
    description:
      'Events pending (outbox, webhook, mail), webhook delivery latency, failures by endpoint, mail attempts, and the process defaults.',
    roles: admins,
    answer: { status: 200, description: 'Prometheus exposition text.', contentType: 'text/plain' },
  },
];
