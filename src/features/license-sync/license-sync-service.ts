import { NotFoundError } from '../../errors/app-error.js';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Actor } from '../../kernel/actor.js';
import type { KaAdapter, KeyInfo } from '../../plugin-sdk/ka-adapter.js';
import type { AuditStore } from '../audit/audit-store.js';
import { applyTransition, type TransitionEventWriter } from '../audit/transition.js';
import type { KaConfigurationService } from '../ka-configurations/ka-configuration-service.js';
import type { StoredKaConfiguration } from '../ka-configurations/ka-configuration-reader.js';
import { errorRecord } from '../ka-configurations/ka-error-record.js';
import type { LicenseRequestPort } from '../license-requests/license-request-port.js';
import type { License, LicenseStatus } from '../licenses/license.js';
import type { LicenseSyncPort } from '../licenses/license-sync-port.js';
import type { SyncDifference, SyncState } from '../licenses/license-sync-state.js';
import { type Comparison, compareWithKa } from './sync-comparison.js';
import type { SyncPacer } from './sync-pacer.js';

/** How one sync ended. `busy`: the pipeline or an action holds the license now, nothing was read. */
export type SyncResult = SyncState | 'busy' | 'not_supported';

export interface SyncOutcome {
  result: SyncResult;
  /** What Keyway took from the KA by itself (terminated, renewed, a new file asked for). */
  applied: SyncDifference[];
  differences: SyncDifference[];
  message?: string;
}

export interface LicenseSyncDeps {
  db: Db;
  licenses: LicenseSyncPort;
  requests: LicenseRequestPort;
  audit: AuditStore;
  events: TransitionEventWriter;
  configurations: KaConfigurationService;
  /** The adapter of a configuration (the pipeline's cache, so reads share its connections). */
  adapterOf(configuration: StoredKaConfiguration): KaAdapter;
  /** Whether an action on the license's key is open (held, or its outcome unknown). */
  hasOpenOperation(licenseId: number): Promise<boolean>;
  pacer: SyncPacer;
  now: () => number;
  /** `KEYWAY_SYNC_EVERY_HOURS`: a synced license is due again this long after. */
  everyMs: number;
}

/** A license the pipeline is working on is left alone: its request is not at rest. */
const requestAtRest = new Set(['installed', 'needs_manual', 'cancelled']);
/** A failed read is tried again this soon (or at the next day's turn, when sooner). */
const failedRetryMs = 60 * 60_000;
/** A busy license is looked at again this soon. */
const busyRetryMs = 10 * 60_000;
const notTerminated: LicenseStatus[] = ['issued', 'files_retrieved', 'installed', 'suspended'];
const sameDiff = (a: SyncDifference[], b: SyncDifference[]) => JSON.stringify(a) === JSON.stringify(b);
const isWorker = (actor: Actor) => actor.type === 'worker' || actor.type === 'system';

/**
 * The sync of one license with its KA: reads the key (`getKeyInfo`), compares it field by
 * field (`compareWithKa`), applies what must follow the KA (a key terminated there, a term
 * renewed there, a new file: each a guarded update with its audit and outbox event) and records
 * the rest as the license's differences (`not_in_sync`), which staff resolve
 * (`SyncResolution`). A license whose request the pipeline is working on, or with an action open
 * on its key, is not read (`busy`): its facts are moving. Staff's syncs are always audited; the
 * workers' only when something changed, so a daily sync of an unchanged base writes nothing
 * but its timestamps.
 */
export class LicenseSyncService {
  constructor(readonly deps: LicenseSyncDeps) {}

  async load(licenseId: number): Promise<License> {
    const license = await this.deps.licenses.get(this.deps.db, licenseId);
    if (!license) throw new NotFoundError('license', licenseId);
    return license;
  }

  /** Reads and compares one license; `paced`: waits its turn in the configuration's rate (workers). */
  async sync(licenseId: number, actor: Actor, options: { paced?: boolean; note?: string } = {}): Promise<SyncOutcome> {
    const read = await this.read(licenseId, actor, options);
    if ('outcome' in read) return read.outcome;
    return this.settle(read.license, read.info, actor, options.note);
  }

  /**
   * The key's facts at the KA, or why they were not read (recorded on the license): not
   * supported, busy, or a failed read.
   */
  async read(
    licenseId: number,
    actor: Actor,
    options: { paced?: boolean } = {},
  ): Promise<{ license: License; info: KeyInfo; configuration: StoredKaConfiguration } | { outcome: SyncOutcome }> {
    const { db, licenses, now } = this.deps;
    const license = await this.load(licenseId);
    const configuration = await this.deps.configurations.get(license.configurationId);
    const adapter = this.deps.adapterOf(configuration);
    if (!adapter.getKeyInfo)
      return {
        outcome: {
          result: 'not_supported',
          applied: [],
          differences: [],
          message: `the KA plugin ${configuration.pluginName} cannot read keys`,
        },
      };
    if (await this.busy(license)) {
      // Left as it was; the scheduled sync looks again soon.
      await licenses.recordSync(db, license.id, {
        state: license.sync.state ?? 'in_sync',
        differences: license.sync.differences,
        at: license.sync.lastSyncedAt ? Date.parse(license.sync.lastSyncedAt) : now(),
        nextDueAt: now() + busyRetryMs,
      });
      return {
        outcome: {
          result: 'busy',
          applied: [],
          differences: license.sync.differences,
          message: 'the pipeline or an action on the key is working on this license; it is synced once done',
        },
      };
    }
    if (options.paced) await this.deps.pacer.take(configuration.id, configuration.syncCallsPerSecond);
    try {
      return { license, configuration, info: await adapter.getKeyInfo.call(adapter, license.keyNumber) };
    } catch (err) {
      const error = errorRecord(err, this.deps.configurations.secretsOf(configuration));
      const message = String(error.message ?? 'reading the key failed');
      await transaction(db, async (tx) => {
        await licenses.recordSync(tx, license.id, {
          state: 'failed',
          differences: license.sync.differences,
          error: message,
          at: now(),
          nextDueAt: now() + Math.min(this.deps.everyMs, failedRetryMs),
        });
        if (license.sync.state !== 'failed' || !isWorker(actor))
          await this.deps.audit.record(tx, {
            actor,
            action: 'license.sync_failed',
            entityType: 'license',
            entityId: license.id,
            fromState: license.sync.state,
            toState: 'failed',
            error,
          });
      });
      return { outcome: { result: 'failed', applied: [], differences: license.sync.differences, message } };
    }
  }

  private async busy(license: License): Promise<boolean> {
    if (await this.deps.hasOpenOperation(license.id)) return true;
    if (license.requestId === null) return false;
    const request = await this.deps.requests.get(this.deps.db, license.requestId);
    return request !== undefined && !requestAtRest.has(request.state);
  }

  /**
   * Compares, applies what follows the KA and records the rest, in one transaction. `resolve`
   * (staff accepting the KA's facts) takes what it can of the differences in the same
   * transaction and answers those left.
   */
  async settle(
    license: License,
    info: KeyInfo,
    actor: Actor,
    note?: string,
    resolve?: (tx: DbOrTx, differences: SyncDifference[]) => Promise<SyncDifference[]>,
  ): Promise<SyncOutcome> {
    const comparison = compareWithKa(license, info);
    const left = await transaction(this.deps.db, async (tx) => {
      await this.applyAutomatic(tx, license, comparison, actor);
      const remaining = resolve ? await resolve(tx, comparison.differences) : comparison.differences;
      await this.record(tx, license, remaining, actor, { applied: comparison.automatic, note });
      return remaining;
    });
    return { result: left.length ? 'not_in_sync' : 'in_sync', applied: comparison.automatic, differences: left };
  }

  /** Stores the sync's state and differences; audited when staff asked, or when anything changed. */
  async record(
    tx: DbOrTx,
    license: License,
    differences: SyncDifference[],
    actor: Actor,
    extra: { applied?: SyncDifference[]; note?: string } = {},
  ): Promise<void> {
    const { now } = this.deps;
    const state: SyncState = differences.length ? 'not_in_sync' : 'in_sync';
    await this.deps.licenses.recordSync(tx, license.id, {
      state,
      differences,
      at: now(),
      nextDueAt: now() + this.deps.everyMs,
    });
    const changed = state !== license.sync.state || !sameDiff(differences, license.sync.differences);
    const applied = extra.applied ?? [];
    if (!changed && !applied.length && isWorker(actor)) return;
    await this.deps.audit.record(tx, {
      actor,
      action: 'license.synced',
      entityType: 'license',
      entityId: license.id,
      fromState: license.sync.state,
      toState: state,
      data: {
        differences,
        ...(applied.length ? { applied } : {}),
        ...(extra.note ? { note: extra.note } : {}),
      },
    });
    if (state === 'not_in_sync' && changed)
      await this.deps.events.write(tx, {
        type: 'license.not_in_sync',
        entityType: 'license',
        entityId: license.id,
        payload: { differences },
      });
  }

  /**
   * A key the KA terminated is terminated in Keyway; a term the KA renewed takes its new dates
   * (guarded on the expiry read, so a sync racing another applies it once); a new file is asked
   * of the file refresh, which fetches and installs it through the license's request.
   */
  private async applyAutomatic(tx: DbOrTx, license: License, comparison: Comparison, actor: Actor): Promise<void> {
    const { licenses } = this.deps;
    const data = { byKa: true, differences: comparison.automatic };
    if (comparison.terminated) {
      await applyTransition(tx, this.deps, licenses.setStatus(license.id, notTerminated, 'terminated'), {
        actor,
        action: 'license.terminated',
        fromState: license.status,
        data,
        event: { type: 'license.terminated', payload: { byKa: true } },
      });
      return;
    }
    if (comparison.renewed) {
      const from = license.keyExpiresAt ? Date.parse(license.keyExpiresAt) : null;
      const expiresAt = comparison.renewed.keyExpiresAt;
      const moved = await licenses.applyKaRenewal(tx, license.id, from, {
        keyExpiresAt: expiresAt,
        expiresAt,
        ...(comparison.renewed.updatesUntil === undefined ? {} : { updatesUntil: comparison.renewed.updatesUntil }),
      });
      if (moved) {
        const iso = new Date(expiresAt).toISOString();
        await this.deps.audit.record(tx, {
          actor,
          action: 'license.renewed',
          entityType: 'license',
          entityId: license.id,
          data: { ...data, expiresAt: iso, previousExpiresAt: license.keyExpiresAt },
        });
        await this.deps.events.write(tx, {
          type: 'license.renewed',
          entityType: 'license',
          entityId: license.id,
          payload: { byKa: true, expiresAt: iso },
        });
      }
    }
    if (comparison.refresh) await licenses.refreshNow(tx, license.id, this.deps.now());
  }
}
