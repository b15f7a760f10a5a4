import type { AuditStore } from '../features/audit/audit-store.js';
import { applyTransition, type TransitionEventWriter } from '../features/audit/transition.js';
import type { KaConfigurationService } from '../features/ka-configurations/ka-configuration-service.js';
import { errorRecord } from '../features/ka-configurations/ka-error-record.js';
import { enqueueAdvance } from '../features/license-requests/license-request-jobs.js';
import type { LicenseRequestStore } from '../features/license-requests/license-request-store.js';
import type { LicenseStore } from '../features/licenses/license-store.js';
import type { LicenseSummary } from '../features/licenses/license.js';
import type { Db } from '../infra/db/database.js';
import type { JobQueue } from '../infra/queue/job-queue.js';
import type { Logger } from '../infra/log/logger.js';
import { workerActor } from '../kernel/actor.js';
import type { AdapterCache } from './adapter-cache.js';
import { termOfKey } from './key-term.js';

export interface FileRefreshDeps {
  db: Db;
  licenses: LicenseStore;
  requests: LicenseRequestStore;
  audit: AuditStore;
  events: TransitionEventWriter;
  configurations: KaConfigurationService;
  adapters: AdapterCache;
  queue: JobQueue;
  logger: Logger;
  now: () => number;
  /** How long one worker's claim on a license's refresh lasts; a failed look is tried again after it. */
  leaseMs: number;
  /** When the KA has no new revision yet, how long until it is asked again. */
  recheckMs: number;
  batchSize?: number;
}

/**
 * The key-file refresh: after a key's lease period ends (the KA renews the lease with a new
 * file) or its update date passes, the KA is asked for the key; a new revision (or a later
 * expiry) sends the license's request back to `key_issued`, so the pipeline fetches the new
 * file, keeps it beside the older ones and installs it. Run by the reconcile loop in every
 * worker: each due license is claimed in the database (`refresh_due_at` moved under a guard),
 * so exactly one worker looks at it, and a worker that dies leaves a claim that lapses.
 */
export class FileRefreshSweep {
  readonly entity = { name: 'license_file_refresh' };

  constructor(private readonly deps: FileRefreshDeps) {}

  async reconcile(): Promise<{ refreshed: number }> {
    const { db, licenses, now } = this.deps;
    let refreshed = 0;
    for (const license of await licenses.dueForRefresh(db, now(), this.deps.batchSize ?? 100)) {
      if (!license.refreshDueAt) continue;
      if (!(await licenses.claimRefresh(db, license.id, license.refreshDueAt, now() + this.deps.leaseMs))) continue;
      try {
        if (await this.refresh(license)) refreshed += 1;
      } catch (err) {
        // The claim lapses after `leaseMs`, and the next sweep asks again.
        this.deps.logger.warn({ err, licenseId: license.id }, 'refreshing a key file failed; it is tried again');
      }
    }
    return { refreshed };
  }

  /** Answers whether a new revision is being fetched. */
  private async refresh(license: LicenseSummary): Promise<boolean> {
    const { db, licenses, configurations, now } = this.deps;
    const configuration = await configurations.get(license.configurationId);
    const adapter = this.deps.adapters.get(configuration);
    let info: Awaited<ReturnType<NonNullable<typeof adapter.getKeyInfo>>> | undefined;
    try {
      info = adapter.getKeyInfo ? await adapter.getKeyInfo(license.keyNumber) : undefined;
    } catch (err) {
      await this.deps.audit.record(db, {
        actor: workerActor,
        action: 'license.refresh_failed',
        entityType: 'license',
        entityId: license.id,
        error: errorRecord(err, configurations.secretsOf(configuration)),
      });
      return false;
    }
    const keyExpiry = license.keyExpiresAt ? Date.parse(license.keyExpiresAt) : null;
    const changed =
      !info ||
      (info.revision !== undefined && info.revision !== license.revision) ||
      (info.expiresAt instanceof Date && keyExpiry !== null && info.expiresAt.getTime() > keyExpiry);
    if (!changed) {
      // The KA has not renewed yet: ask again later.
      await licenses.updateTerm(db, license.id, { refreshDueAt: now() + this.deps.recheckMs });
      return false;
    }
    const termEndsAt = license.expiresAt ? Date.parse(license.expiresAt) : null;
    const term = info
      ? termOfKey(info, { termEndsAt: license.termKind === 'lease' ? termEndsAt : null, now: now(), current: license })
      : { refreshDueAt: null };
    // The revision is the file's: it is recorded when the new file is stored.
    const { revision: _revision, ...dates } = term as { revision?: unknown } & typeof term;
    const requestId = license.requestId as number;
    const moved = await applyTransition(
      db,
      this.deps,
      this.deps.requests.transition(requestId, 'installed', 'key_issued', {
        attempts: 0,
        lastError: null,
        reason: null,
        nextAttemptAt: now(),
      }),
      async (tx) => {
        await licenses.updateTerm(tx, license.id, dates);
        return {
          actor: workerActor,
          action: 'license_request.refresh_started',
          data: {
            licenseId: license.id,
            keyNumber: license.keyNumber,
            revision: license.revision,
            newRevision: info?.revision ?? null,
            keyExpiresAt: info?.expiresAt ? info.expiresAt.toISOString() : null,
          },
        };
      },
    );
    if (!moved) {
      // The request is busy (a renewal's fetch, staff): look again once it is done.
      await licenses.updateTerm(db, license.id, { refreshDueAt: now() + this.deps.recheckMs });
      return false;
    }
    await enqueueAdvance(this.deps.queue, requestId, 'key_issued', 0, { idSuffix: `refresh-${now()}` });
    return true;
  }
}
