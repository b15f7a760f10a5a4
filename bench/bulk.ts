import { loadConfig } from '../src/config/config.js';
import { createDatabase } from '../src/infra/db/database.js';
import { createLogger } from '../src/infra/log/logger.js';
import { startKeyway } from '../src/server.js';
import { apiCaller, benchEnv, benchToken, createBenchDatabase } from './bench-kit.js';
import { seed } from './license-list.js';

type Counts = { total: number; done: number; failed: number; skipped: number; cancelled: number; left: number };
type JobBody = { id: number; state: string; finishedAt: string | null; counts: Counts };

const written = (c: Counts) => c.done + c.failed + c.skipped + c.cancelled;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A bulk job over `licenses` licenses (issue 16): how often its progress moves while it runs
 * (the longest gap between two changes of its counts, polled every 25 ms through the API) and
 * how fast a cancel takes: from `POST cancel` to the job cancelled with nothing left running,
 * and whether any item was claimed or finished after that. The action is `resume` over a
 * tab of installed (not suspended) licenses: each item is refused by the license's own state
 * check without a KA call, so the figures are the bulk machinery's, not a KA's.
 */
export async function runBulkBench(options: { licenses: number; runMs: number }) {
  const database = await createBenchDatabase('keyway_bench_bulk');
  let keep = false;
  try {
    const seedStart = performance.now();
    const [tabId] = await seed(database.url, options.licenses, 1);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const config = loadConfig({ ...benchEnv(database), PORT: '0', KEYWAY_ADMIN_TOKEN: benchToken, KEYWAY_ROLE: 'all' });
    const keyway = await startKeyway(config, createLogger('silent'), { print: () => {} });
    const db = createDatabase(database.url);
    try {
      if (!keyway.url) throw new Error('keyway is not listening');
      const api = apiCaller(keyway.url);
      const createdAt = performance.now();
      const created = (await api('POST', '/api/v1/bulk-jobs', {
        action: 'resume',
        filter: { configuration: tabId },
      })) as unknown as JobBody;
      const createMs = performance.now() - createdAt;
      if (!created.id) throw new Error(`the bulk job was refused: ${JSON.stringify(created)}`);
      const get = async () => (await api('GET', `/api/v1/bulk-jobs/${created.id}`)) as unknown as JobBody;

      // Progress: the longest time the counts stood still while the job ran.
      let last = written(created.counts);
      let lastChange = performance.now();
      let firstChange: number | undefined;
      let maxGapMs = 0;
      let job = created;
      const runStart = performance.now();
      while (performance.now() - runStart < options.runMs && job.counts.left > job.counts.total / 4) {
        await sleep(25);
        job = await get();
        const now = performance.now();
        if (written(job.counts) !== last) {
          if (firstChange !== undefined) maxGapMs = Math.max(maxGapMs, now - lastChange);
          firstChange ??= now;
          last = written(job.counts);
          lastChange = now;
        }
      }
      const runSeconds = (performance.now() - (firstChange ?? runStart)) / 1000;
      const itemsPerSecond = Math.round(written(job.counts) / ((performance.now() - runStart) / 1000));

      // Cancel: from the POST to the job cancelled with nothing running.
      const cancelStart = performance.now();
      const cancelledAtMs = Date.now();
      await api('POST', `/api/v1/bulk-jobs/${created.id}/cancel`);
      const answeredMs = performance.now() - cancelStart;
      let cancelled: JobBody;
      for (;;) {
        cancelled = await get();
        if (cancelled.state === 'cancelled' && cancelled.counts.left === 0) break;
        if (performance.now() - cancelStart > 60_000) throw new Error('the job did not stop within a minute');
        await sleep(10);
      }
      const stoppedMs = performance.now() - cancelStart;
      const stoppedAt = Date.now();
      // Then: nothing claimed or written any more.
      await sleep(2000);
      const after = await get();
      const leaseMs = config.pipeline.leaseMs;
      const [claimedAfter] = await db('bulk_job_items')
        .where({ bulk_job_id: created.id })
        .andWhere('lease_until', '>', stoppedAt + leaseMs)
        .count({ n: '*' });
      const [finishedAfter] = await db('bulk_job_items')
        .where({ bulk_job_id: created.id })
        .whereNot({ state: 'cancelled' })
        .andWhere('finished_at', '>', stoppedAt)
        .count({ n: '*' });
      const noneAfter =
        written(after.counts) === written(cancelled.counts) &&
        Number(claimedAfter?.n) === 0 &&
        Number(finishedAfter?.n) === 0;
      keep = !noneAfter;
      return {
        licenses: options.licenses,
        action: 'resume (refused by state, no KA call)',
        seedSeconds: Math.round(seedSeconds),
        createMs: Math.round(createMs),
        itemsWrittenBeforeCancel: written(job.counts),
        itemsPerSecond,
        progressSeconds: Number(runSeconds.toFixed(1)),
        progressMaxGapMs: { value: Math.round(maxGapMs), target: 1000 },
        cancel: {
          answeredMs: Math.round(answeredMs),
          stoppedMs: { value: Math.round(stoppedMs), target: 1000 },
          cancelledItems: cancelled.counts.cancelled,
          itemsClaimedAfter: Number(claimedAfter?.n),
          itemsFinishedAfter: Number(finishedAfter?.n),
          countsMovedAfter: written(after.counts) - written(cancelled.counts),
          sinceCancelPostMs: stoppedAt - cancelledAtMs,
        },
        ok: noneAfter,
      };
    } finally {
      await db.destroy();
      await keyway.close();
    }
  } finally {
    await database.finish(keep);
  }
}
