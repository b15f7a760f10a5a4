import { Counter, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry } from './metrics-registry.js';

/**
 * The Prometheus metrics of one Keyway process: one registry per process (per AppContext, so
 * tests can run several Keyways in one Node process, made by `createMetricsRegistry`), served at
 * `GET /metrics`. A feature adds
 * its own metric by creating it with `registers: [metrics.registry]` and a `keyway_` name;
 * metrics read from the database or the queue at scrape time use a `collect()` function
 * (see `metrics-collectors.ts`).
 */
export interface KeywayMetrics {
  registry: Registry;
  /** Seconds from the order's payment to a license request reaching `installed` (first install only). */
  paidToInstalled: Histogram<never>;
  /** HTTP requests by method, route pattern (never the raw path) and status. */
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Calls to a KA through its plugin, by configuration, adapter method and result (`ok` or the KaError code). */
  kaCallDuration: Histogram<'configuration' | 'method' | 'result'>;
  /** Failed KA calls by configuration, method, KaError code and the KA's own result code. */
  kaCallErrors: Counter<'configuration' | 'method' | 'code' | 'ka_result_code'>;
  /** Seconds one pass of the scheduler took (renewals due, license phases), done or failed, in the worker that ran it. */
  schedulerPass: Histogram<'pass'>;
  /** Statements this process sent its database: the load each license puts on it. */
  dbQueries: Counter<never>;
}

export function createMetrics(options: { role: string }): KeywayMetrics {
  // The outbox's metrics module: Node's defaults (event-loop lag, memory, GC) as keyway_*.
  const registry = createMetricsRegistry();
  registry.setDefaultLabels({ role: options.role });
  return {
    registry,
    paidToInstalled: new Histogram({
      name: 'keyway_license_paid_to_installed_seconds',
      help: 'Seconds from the payment of the order to the license request being installed',
      // From a fast pipeline (tens of ms) to a retried one (an hour), to staff (days).
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'keyway_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    kaCallDuration: new Histogram({
      name: 'keyway_ka_call_duration_seconds',
      help: 'Calls to a KA through its plugin by configuration, method and result (ok or the error code)',
      labelNames: ['configuration', 'method', 'result'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    kaCallErrors: new Counter({
      name: 'keyway_ka_call_errors_total',
      help: "Failed calls to a KA by configuration, method, error code and the KA's result code",
      labelNames: ['configuration', 'method', 'code', 'ka_result_code'],
      registers: [registry],
    }),
    schedulerPass: new Histogram({
      name: 'keyway_scheduler_pass_seconds',
      help: 'Seconds one pass of the scheduler took, by pass (renewals due, license phases)',
      labelNames: ['pass'],
      // An idle pass is a few queries; a renewal wave paid by one worker runs for minutes.
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    }),
    dbQueries: new Counter({
      name: 'keyway_db_queries_total',
      help: 'Statements sent to the database by this process',
      registers: [registry],
    }),
  };
}
