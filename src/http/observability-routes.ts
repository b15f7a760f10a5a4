import { timingSafeEqual } from 'node:crypto';
import express, { type RequestHandler, type Router } from 'express';
import type { Db } from '../infra/db/database.js';
import { FolderMigrationSource } from '../infra/db/migrator.js';
import type { KeywayMetrics } from '../infra/metrics/metrics.js';
import type { JobQueue } from '../infra/queue/job-queue.js';
import type { Principal } from '../kernel/principal.js';

export interface ObservabilityDeps {
  db: Db;
  queue: JobQueue;
  metrics: KeywayMetrics;
  /** Who an API token is (the auth feature's lookup): only an admin reads metrics with one. */
  principalOf(token: string): Promise<Principal | undefined>;
  /** `KEYWAY_METRICS_TOKEN`: a bearer a scraper uses instead of an admin API token. */
  metricsToken?: string;
  /** Job names whose queue /readyz reads to prove the queue's store (Redis) answers. */
  probeJobName: string;
  role: string;
}

/** How long /readyz waits for the database or the queue before calling it unreachable. */
const readyProbeTimeoutMs = 2000;

/**
 * `/healthz` (the process is alive), `/readyz` (database and queue reachable, no pending
 * migration: 503 naming what is not) and `/metrics` (Prometheus text, to an admin token or to
 * `KEYWAY_METRICS_TOKEN`). Outside `/api/v1`: probes and scrapers are not API clients.
 */
export function observabilityRoutes(deps: ObservabilityDeps): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true, role: deps.role });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, queue, migrations] = await Promise.all([
      probe(async () => {
        await deps.db.raw('select 1');
      }),
      probe(async () => {
        await deps.queue.depth([deps.probeJobName]);
      }),
      probe(async () => {
        const [, pending] = (await deps.db.migrate.list({ migrationSource: new FolderMigrationSource() })) as [
          unknown[],
          Array<{ file?: string } | string>,
        ];
        if (pending.length) throw new Error(`${pending.length} pending (run npm run migrate)`);
      }),
    ]);
    const checks = { database, queue, migrations };
    const ready = Object.values(checks).every((c) => c === 'ok');
    res.status(ready ? 200 : 503).json({ ready, checks });
  });
  router.get('/metrics', metricsAccess(deps), async (_req, res) => {
    res.setHeader('content-type', deps.metrics.registry.contentType);
    res.setHeader('cache-control', 'no-store');
    res.send(await deps.metrics.registry.metrics());
  });
  return router;
}

/** 'ok', or why not (the error's message, or a timeout), for one readiness check. */
async function probe(check: () => Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${readyProbeTimeoutMs} ms`), readyProbeTimeoutMs);
  });
  try {
    return await Promise.race([check().then(() => 'ok'), timedOut]);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}

function metricsAccess(deps: ObservabilityDeps): RequestHandler {
  const expected = deps.metricsToken ? Buffer.from(deps.metricsToken) : undefined;
  return async (req, res, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!bearer) {
      res.status(401).json({ error: { code: 'unauthorized', message: 'A bearer token is required' } });
      return;
    }
    const given = Buffer.from(bearer);
    if (expected && given.length === expected.length && timingSafeEqual(given, expected)) return next();
    const principal = await deps.principalOf(bearer);
    if (principal?.role === 'admin') return next();
    res.status(principal ? 403 : 401).json({
      error: principal
        ? { code: 'forbidden', message: `Role ${principal.role} may not read metrics; it needs admin` }
        : { code: 'unauthorized', message: 'The bearer token is not valid' },
    });
  };
}
