import { ConflictError, NotFoundError, UpstreamError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { IssuedKey } from '../../plugin-sdk/ka-adapter.js';
import type { Actor } from '../audit/audit-event.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { KaConfigurationService } from '../ka-configurations/ka-configuration-service.js';
import { errorRecord } from '../ka-configurations/ka-error-record.js';
import { advanceJob, advanceJobId } from '../license-requests/license-request-jobs.js';
import type { LicenseRequestStore } from '../license-requests/license-request-store.js';
import type { License, LicenseStatus, LicenseStore, LicenseSummary } from './license-store.js';

/** What staff can do to a license at its KA after it was issued (DESIGN.md: cancelling after the key is a terminate). */
export const lifecycleActions = ['suspend', 'resume', 'terminate', 'renew'] as const;
export type LifecycleAction = (typeof lifecycleActions)[number];

/** The statuses each action starts from. A renewal reinstalls, so it waits for the install. */
const allowedFrom: Record<LifecycleAction, LicenseStatus[]> = {
  suspend: ['issued', 'files_retrieved', 'installed'],
  resume: ['suspended'],
  terminate: ['issued', 'files_retrieved', 'installed', 'suspended'],
  renew: ['installed'],
};

/** Audit action names: `license.suspended` and so on. */
const pastTense: Record<LifecycleAction, string> = { suspend: 'suspended', resume: 'resumed', terminate: 'terminated', renew: 'renewed' };

export interface LicenseLifecycleDeps {
  db: Db;
  licenses: LicenseStore;
  requests: LicenseRequestStore;
  configurations: KaConfigurationService;
  audit: AuditStore;
  queue: JobQueue;
  now?: () => number;
}

/**
 * Suspend, resume, terminate and renew a license: the KA first, through the configuration's plugin
 * (which must declare the action), then the license's status in a guarded update with its
 * audit event. A KA failure changes nothing in Keyway and is answered, classified and with
 * secrets scrubbed, for staff to act on; it is audited too. A disabled configuration still
 * acts on the licenses it issued: disabling stops new keys, not the care of existing ones.
 */
export class LicenseLifecycle {
  constructor(private readonly deps: LicenseLifecycleDeps) {}

  /** The actions this license's status and plugin allow now, for the console's buttons. */
  async available(license: LicenseSummary): Promise<LifecycleAction[]> {
    const configuration = await this.deps.configurations.get(license.configurationId);
    const supported = this.deps.configurations.capabilities(configuration);
    return lifecycleActions.filter((action) => supported.includes(action) && allowedFrom[action].includes(license.status));
  }

  async act(licenseId: number, action: LifecycleAction, actor: Actor, note?: string): Promise<void> {
    const { db, licenses, configurations, audit } = this.deps;
    const license = await licenses.get(db, licenseId);
    if (!license) throw new NotFoundError('license', licenseId);
    if (!allowedFrom[action].includes(license.status)) {
      throw new ConflictError(`License ${license.keyNumber} is ${license.status}; ${action} needs it ${allowedFrom[action].join(' or ')}`, 'invalid_state', { details: { status: license.status } });
    }
    const configuration = await configurations.get(license.configurationId);
    if (action === 'renew' && license.requestId === null) {
      throw new ConflictError(`License ${license.keyNumber} has no license request to fetch and install its renewed file through`, 'invalid_state');
    }
    if (!configurations.capabilities(configuration).includes(action)) {
      throw new ConflictError(`The KA plugin ${configuration.pluginName} of ${configuration.name} cannot ${action} a key`, 'not_supported', { details: { plugin: configuration.pluginName, action } });
    }
    const adapter = configurations.adapterFor(configuration);
    const entity = { entityType: 'license', entityId: license.id } as const;
    const call = adapter[action] as ((keyNumber: string) => Promise<IssuedKey | undefined>) | undefined;
    if (!call) {
      await adapter.close?.();
      throw new ConflictError(`The KA plugin ${configuration.pluginName} declares ${action} but does not implement it`, 'not_supported');
    }
    let renewed: IssuedKey | undefined;
    try {
      renewed = (await call.call(adapter, license.keyNumber)) ?? undefined;
    } catch (err) {
      const error = errorRecord(err, configurations.secretsOf(configuration));
      await audit.record(db, { actor, action: `license.${action}_failed`, ...entity, data: { keyNumber: license.keyNumber, ...(note ? { note } : {}) }, error });
      throw new UpstreamError(`The KA did not ${action} key ${license.keyNumber}: ${String(error.message)}`, { details: { error } });
    } finally {
      await adapter.close?.();
    }
    if (action === 'renew') return this.recordRenewal(license, renewed ?? { keyNumber: license.keyNumber, additionalKeyNumbers: [] }, actor, note);
    // Resuming goes back to where the license was: installed, or waiting for its install.
    const resumed: LicenseStatus = license.installedAt ? 'installed' : license.files.length ? 'files_retrieved' : 'issued';
    const to = action === 'suspend' ? 'suspended' : action === 'terminate' ? 'terminated' : resumed;
    const moved = await db.transaction(async (tx) => {
      const changed = await licenses.setStatus(tx, license.id, allowedFrom[action], to);
      // The KA acted either way, so the event is written either way.
      await audit.record(tx, { actor, action: `license.${pastTense[action]}`, ...entity, fromState: license.status, toState: changed ? to : undefined, data: { keyNumber: license.keyNumber, ...(note ? { note } : {}), ...(changed ? {} : { statusChangedMeanwhile: true }) } });
      return changed;
    });
    if (!moved) throw new ConflictError(`The KA did ${action} key ${license.keyNumber}, but the license changed meanwhile; reload it`, 'invalid_state');
  }

  /**
   * The KA renewed the key: the license takes the new dates, and its request goes back to
   * `key_issued`, so the pipeline fetches the renewed file and installs it with the same
   * steps, retries and fall back to staff as a first install.
   */
  private async recordRenewal(license: License, key: IssuedKey, actor: Actor, note: string | undefined): Promise<void> {
    const { db, licenses, requests, audit, queue } = this.deps;
    const requestId = license.requestId as number;
    const now = (this.deps.now ?? Date.now)();
    // A date the KA's answer leaves out stays as it was.
    const expiresAt = key.expiresAt ? key.expiresAt.getTime() : license.expiresAt ? Date.parse(license.expiresAt) : null;
    const updatesUntil = key.updatesUntil ? key.updatesUntil.getTime() : license.updatesUntil ? Date.parse(license.updatesUntil) : null;
    const reopened = await db.transaction(async (tx) => {
      await licenses.updateRenewal(tx, license.id, { fullKeyNumber: key.fullKeyNumber, expiresAt, updatesUntil });
      const moved = await requests.transition(tx, requestId, 'installed', 'key_issued', { attempts: 0, lastError: null, reason: null, nextAttemptAt: now });
      await audit.recordMany(tx, [
        { actor, action: `license.${pastTense.renew}`, entityType: 'license', entityId: license.id, data: { keyNumber: license.keyNumber, expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(), previousExpiresAt: license.expiresAt, ...(note ? { note } : {}) } },
        ...(moved ? [{ actor, action: 'license_request.renewal_started', entityType: 'license_request', entityId: requestId, fromState: 'installed', toState: 'key_issued', data: { licenseId: license.id } }] : []),
      ]);
      return moved;
    });
    if (!reopened) throw new ConflictError(`The KA renewed key ${license.keyNumber}, but its request is no longer installed; fetch and install the renewed file from the request's page`, 'invalid_state');
    await queue.enqueue(advanceJob, { requestId }, { jobId: `${advanceJobId(requestId, 'key_issued', 0)}-renewed-${now}`, attempts: 3 });
  }
}
