import type { DbOrTx } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Actor } from '../../kernel/actor.js';
import type { KeyInfo } from '../../plugin-sdk/ka-adapter.js';
import { applyTransition } from '../audit/transition.js';
import type { StoredKaConfiguration } from '../ka-configurations/ka-configuration-reader.js';
import { errorRecord } from '../ka-configurations/ka-error-record.js';
import { enqueueAdvance } from '../license-requests/license-request-jobs.js';
import { resumedStatus } from '../licenses/lifecycle-rules.js';
import type { License } from '../licenses/license.js';
import type { SyncDifference } from '../licenses/license-sync-state.js';
import type { LicenseSyncService, SyncOutcome } from './license-sync-service.js';
import { compareWithKa } from './sync-comparison.js';

export const syncResolutions = ['accept_ka', 'push_keyway'] as const;
export type SyncResolutionName = (typeof syncResolutions)[number];

/** One field of a push: what was done at the KA (or in Keyway), or why it was left. */
export interface PushStep {
  field: SyncDifference['field'] | 'file';
  done?: string;
  left?: string;
}

const parsedMs = (value: SyncDifference['ka']) => (typeof value === 'string' ? Date.parse(value) : null);

/**
 * Staff's answer to a license not in sync. Both read the key again first (the KA may have
 * moved since the sync), apply what follows the KA as a sync does, then:
 *
 * - `accept_ka`: Keyway takes the KA's facts, audited with each accepted difference: a key
 *   suspended (or active) at the KA is suspended (resumed) in Keyway with its event; the key's
 *   expiry (and, for a fixed term, the term's end), update date, features and additional keys
 *   are the KA's. A key live at the KA that Keyway terminated stays terminated (Keyway never
 *   brings a terminated license back), and stays not in sync.
 * - `push_keyway`: the KA is told Keyway's facts where the plugin can: status by suspending,
 *   resuming or terminating the key at the KA; features Keyway has and the KA lacks by
 *   upgrading the key (a feature only the KA has stays: the contract has no downgrade). Dates
 *   are not pushed: renewing again would add a whole period, so an earlier expiry at the KA is
 *   left for staff to renew (or accept). Additional keys are not pushed. An installed license's
 *   current file is installed again (its request goes `installed` → `files_retrieved`, the
 *   pipeline delivers it). Then the key is read once more and the license records what is left.
 */
export class SyncResolution {
  constructor(
    private readonly sync: LicenseSyncService,
    private readonly queue: JobQueue,
  ) {}

  async resolve(
    licenseId: number,
    resolution: SyncResolutionName,
    actor: Actor,
    options: { paced?: boolean; note?: string } = {},
  ): Promise<SyncOutcome & { pushed?: PushStep[] }> {
    const read = await this.sync.read(licenseId, actor, options);
    if ('outcome' in read) return read.outcome;
    if (resolution === 'accept_ka')
      return this.sync.settle(read.license, read.info, actor, options.note, (tx, differences) =>
        this.accept(tx, read.license, differences, actor, options.note),
      );
    return this.push(read.license, read.info, read.configuration, actor, options);
  }

  private async accept(
    tx: DbOrTx,
    license: License,
    differences: SyncDifference[],
    actor: Actor,
    note?: string,
  ): Promise<SyncDifference[]> {
    const { licenses } = this.sync.deps;
    const accepted: SyncDifference[] = [];
    const kept: SyncDifference[] = [];
    for (const d of differences) {
      if (d.field === 'status') {
        const to = d.ka === 'suspended' ? 'suspended' : license.status === 'suspended' ? resumedStatus(license) : null;
        if (!to) {
          kept.push(d);
          continue;
        }
        const past = to === 'suspended' ? 'suspended' : 'resumed';
        const moved = await applyTransition(
          tx,
          this.sync.deps,
          licenses.setStatus(
            license.id,
            to === 'suspended' ? ['issued', 'files_retrieved', 'installed'] : ['suspended'],
            to,
          ),
          {
            actor,
            action: `license.${past}`,
            fromState: license.status,
            data: { byKa: true, acceptedFromKa: true, ...(note ? { note } : {}) },
            event: { type: `license.${past}`, payload: { byKa: true } },
          },
        );
        (moved ? accepted : kept).push(d);
      } else if (d.field === 'revision') kept.push(d);
      else {
        accepted.push(d);
        if (d.field === 'keyExpiresAt')
          await licenses.acceptKaFacts(tx, license.id, {
            keyExpiresAt: parsedMs(d.ka),
            ...(license.termKind === 'lease' ? {} : { expiresAt: parsedMs(d.ka) }),
          });
        else if (d.field === 'updatesUntil')
          await licenses.acceptKaFacts(tx, license.id, { updatesUntil: parsedMs(d.ka) });
        else await licenses.acceptKaFacts(tx, license.id, { [d.field]: Array.isArray(d.ka) ? d.ka : [] });
      }
    }
    await this.sync.deps.audit.record(tx, {
      actor,
      action: 'license.sync_resolved',
      entityType: 'license',
      entityId: license.id,
      data: { resolution: 'accept_ka', accepted, kept, ...(note ? { note } : {}) },
    });
    return kept;
  }

  private async push(
    license: License,
    info: KeyInfo,
    configuration: StoredKaConfiguration,
    actor: Actor,
    options: { paced?: boolean; note?: string },
  ): Promise<SyncOutcome & { pushed: PushStep[] }> {
    const { deps } = this.sync;
    const adapter = deps.adapterOf(configuration);
    const capabilities: string[] = deps.configurations.capabilities(configuration);
    const secrets = deps.configurations.secretsOf(configuration);
    const steps: PushStep[] = [];
    const call = async (field: PushStep['field'], what: string, act: () => Promise<unknown>) => {
      try {
        await act();
        steps.push({ field, done: what });
      } catch (err) {
        steps.push({ field, left: `${what} failed: ${String(errorRecord(err, secrets).message)}` });
      }
    };
    for (const d of compareWithKa(license, info).differences) {
      if (d.field === 'status') {
        const action = d.keyway === 'terminated' ? 'terminate' : d.keyway === 'suspended' ? 'suspend' : 'resume';
        const method = adapter[action];
        if (!capabilities.includes(action) || !method)
          steps.push({ field: 'status', left: `the KA plugin ${configuration.pluginName} cannot ${action} keys` });
        else await call('status', `${action} at the KA`, () => method.call(adapter, license.keyNumber));
      } else if (d.field === 'features') {
        const missing = (d.keyway as string[]).filter((f) => !(d.ka as string[]).includes(f));
        const upgrade = adapter.upgrade;
        if (missing.length && capabilities.includes('upgrade') && upgrade)
          await call('features', `upgrade at the KA with ${missing.join(', ')}`, () =>
            upgrade.call(adapter, license.keyNumber, missing),
          );
        if (missing.length < (d.ka as string[]).length || !upgrade || !capabilities.includes('upgrade'))
          steps.push({ field: 'features', left: 'features only the KA has stay: the KA contract has no downgrade' });
      } else
        steps.push({
          field: d.field,
          left:
            d.field === 'keyExpiresAt' || d.field === 'updatesUntil'
              ? 'dates are not pushed: renewing again adds a whole period; renew the license or accept the KA'
              : 'not pushed to the KA',
        });
    }
    await deps.audit.record(deps.db, {
      actor,
      action: 'license.sync_resolved',
      entityType: 'license',
      entityId: license.id,
      data: { resolution: 'push_keyway', pushed: steps, ...(options.note ? { note: options.note } : {}) },
    });
    // Read again before the reinstall holds the license's request: what is left is recorded.
    const outcome = await this.sync.sync(license.id, actor, { paced: options.paced });
    steps.push(await this.reinstall(license, actor));
    return { ...outcome, pushed: steps };
  }

  /** An installed license's current file, delivered again by the pipeline. */
  private async reinstall(license: License, actor: Actor): Promise<PushStep> {
    const { deps } = this.sync;
    if (license.status !== 'installed' || license.requestId === null)
      return { field: 'file', left: `a ${license.status} license is not installed again` };
    const requestId = license.requestId;
    const moved = await applyTransition(
      deps.db,
      deps,
      deps.requests.transition(requestId, 'installed', 'files_retrieved'),
      {
        actor,
        action: 'license_request.reinstall_requested',
        data: { licenseId: license.id, keyNumber: license.keyNumber, why: 'push_keyway' },
      },
    );
    if (!moved) return { field: 'file', left: 'the license request is busy; its file is installed by the pipeline' };
    await enqueueAdvance(this.queue, requestId, 'files_retrieved', 0, { idSuffix: `sync-${deps.now()}` });
    return { field: 'file', done: 'current file installed again' };
  }
}
