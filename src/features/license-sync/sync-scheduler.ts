import { forEachConcurrently } from '../../infra/async/for-each-concurrently.js';
import type { Db } from '../../infra/db/database.js';
import type { Logger } from '../../infra/log/logger.js';
import type { Actor } from '../../kernel/actor.js';
import type { KaConfigurationReader } from '../ka-configurations/ka-configuration-reader.js';
import type { LicenseRequestPort } from '../license-requests/license-request-port.js';
import type { LicenseSyncPort } from '../licenses/license-sync-port.js';
import type { LicenseSyncService } from './license-sync-service.js';
import { defaultSyncCallsPerSecond } from './sync-pacer.js';

export const syncActor: Actor = { type: 'worker', name: 'sync' };

/** Key reads a worker has in flight per configuration in a scheduled pass. */
const readsInFlight = 4;

export interface SyncSchedulerDeps {
  db: Db;
  licenses: LicenseSyncPort;
  requests: Pick<LicenseRequestPort, 'hasWorking'>;
  configurations: KaConfigurationReader;
  service: LicenseSyncService;
  logger: Logger;
  /** How often the scheduler runs its passes: a configuration's share of one run is its rate over this. */
  periodMs: number;
  /** How long a claim holds a license before another worker may take it (a worker that died). */
  leaseMs: number;
  batchSize?: number;
}

export interface SyncPassResult {
  synced: number;
  /** Configurations skipped because the pipeline was issuing on them. */
  yielded: number[];
}

/**
 * The scheduled sync: every license is read at its KA once per `KEYWAY_SYNC_EVERY_HOURS`
 * (each sync sets the license's next due time), the longest due first, so the base spreads over
 * the day by when each was last read. Each run takes, per KA configuration and at once for all
 * of them, at most what its rate allows over the scheduler's period (`syncCallsPerSecond` × 80 %
 * of the period, so the other passes keep their turn), paced by `SyncPacer` across all workers,
 * with a few reads in flight per configuration so the KA's latency does not bound the pace.
 *
 * Each license is claimed in the database before it is read (its `sync_due_at` moved under a
 * guard to a lease), so workers running the pass at once read each license once; a claim
 * whose worker died lapses after `leaseMs`.
 *
 * It yields to issuance: a configuration on which the pipeline works on a license request
 * (`ready` to `installing`) is skipped for this run, and a run stops its configuration between
 * batches as soon as one appears; the sync waits, a new key never does.
 */
export class SyncScheduler {
  constructor(private readonly deps: SyncSchedulerDeps) {}

  async runDue(now: number): Promise<SyncPassResult> {
    const configurations = await this.deps.configurations.list(this.deps.db);
    const result: SyncPassResult = { synced: 0, yielded: [] };
    await Promise.all(
      configurations.map(async (c) => {
        const synced = await this.runConfiguration(c.id, c.syncCallsPerSecond ?? null, now);
        if (synced === 'yielded') result.yielded.push(c.id);
        else result.synced += synced;
      }),
    );
    return result;
  }

  /** Syncs one configuration's due licenses, up to its share of this run. */
  async runConfiguration(configurationId: number, perSecond: number | null, now: number): Promise<number | 'yielded'> {
    const { db, licenses, requests } = this.deps;
    const rate = perSecond ?? defaultSyncCallsPerSecond;
    const share = Math.max(1, Math.floor((rate * this.deps.periodMs * 0.8) / 1000));
    let synced = 0;
    while (synced < share) {
      if (await requests.hasWorking(db, configurationId)) return synced || 'yielded';
      const due = await licenses.dueForSync(
        db,
        configurationId,
        now,
        Math.min(this.deps.batchSize ?? 50, share - synced),
      );
      if (!due.length) break;
      // A few reads in flight per configuration, so the KA's latency does not set the pace:
      // the pacer lines them up in the configuration's slots.
      await forEachConcurrently(due, readsInFlight, async ({ id, dueAt }) => {
        if (!(await licenses.claimSync(db, id, dueAt, now + this.deps.leaseMs))) return;
        try {
          await this.deps.service.sync(id, syncActor, { paced: true });
        } catch (err) {
          // The claim lapses after the lease, and a later run reads the license again.
          this.deps.logger.warn({ err, licenseId: id }, 'syncing a license failed; it is tried again');
        }
        synced += 1;
      });
    }
    return synced;
  }
}
