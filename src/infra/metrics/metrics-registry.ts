import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The one registry of a Keyway process: features add their metrics to it, and the app serves
 * it (text format) to admins at `/metrics`. A new registry per process (and per test), never
 * prom-client's global one, so two apps in one test process do not collide.
 */
export function createMetricsRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'keyway_' });
  return registry;
}

export type { Registry };
