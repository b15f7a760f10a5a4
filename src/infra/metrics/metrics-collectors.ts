import { Gauge } from 'prom-client';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { KeywayMetrics } from './metrics.js';

/**
 * Gauges read at scrape time, so every process (and every API process behind a load balancer)
 * reports the same truth: the database's license requests by state, and the queue's depth.
 * `jobNames` are the queues to read (an API process reports the workers' queues too).
 */
export function registerScrapeCollectors(
  metrics: KeywayMetrics,
  sources: { db: Db; queue: JobQueue; jobNames: readonly string[] },
): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'keyway_license_requests',
    help: 'License requests by state, read from the database at scrape time',
    labelNames: ['state'],
    registers,
    async collect() {
      const rows = (await sources.db('license_requests').select('state').count({ n: '*' }).groupBy('state')) as Array<{
        state: string;
        n: number | string;
      }>;
      this.reset();
      for (const row of rows) this.set({ state: row.state }, Number(row.n));
    },
  });
  const depth = async () => sources.queue.depth(sources.jobNames);
  new Gauge({
    name: 'keyway_queue_jobs',
    help: 'Jobs on the queue by job name and state (waiting, delayed, active), read at scrape time',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const d of await depth()) {
        this.set({ queue: d.name, state: 'waiting' }, d.waiting);
        this.set({ queue: d.name, state: 'delayed' }, d.delayed);
        this.set({ queue: d.name, state: 'active' }, d.active);
      }
    },
  });
  new Gauge({
    name: 'keyway_queue_oldest_waiting_seconds',
    help: 'Seconds the oldest waiting job of each queue has been due (0 when none waits)',
    labelNames: ['queue'],
    registers,
    async collect() {
      this.reset();
      for (const d of await depth()) this.set({ queue: d.name }, (d.oldestWaitingMs ?? 0) / 1000);
    },
  });
}
