import type { Config } from './config/config.js';
import { createDatabase, type Db } from './infra/db/database.js';
import type { Logger } from './infra/log/logger.js';
import { createJobQueue } from './infra/queue/create-job-queue.js';
import type { JobQueue } from './infra/queue/job-queue.js';
import { createMetrics, type KeywayMetrics } from './infra/metrics/metrics.js';

/**
 * What every part of one Keyway process shares, and nothing more: built once by `server.ts` (or
 * a test), handed to the composition root, which passes each feature what it needs.
 */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Db;
  queue: JobQueue;
  /** Milliseconds since the epoch; tests may stop it. */
  clock: () => number;
  /** This process's Prometheus registry and Keyway's metrics (`src/infra/metrics/metrics.ts`). */
  metrics: KeywayMetrics;
  close(): Promise<void>;
}

export function createAppContext(
  config: Config,
  logger: Logger,
  overrides: { db?: Db; queue?: JobQueue; clock?: () => number } = {},
): AppContext {
  const db = overrides.db ?? createDatabase(config.databaseUrl);
  const queue =
    overrides.queue ??
    createJobQueue({
      redisUrl: config.redisUrl,
      prefix: config.queuePrefix,
      logger: logger.child({ component: 'queue' }),
    });
  const metrics = createMetrics({ role: config.role });
  const countQuery = () => metrics.dbQueries.inc();
  db.on('query', countQuery);
  return {
    config,
    logger,
    db,
    queue,
    clock: overrides.clock ?? Date.now,
    metrics,
    async close() {
      db.off('query', countQuery);
      await queue.close({ timeoutMs: config.shutdownTimeoutMs });
      await db.destroy();
    },
  };
}
