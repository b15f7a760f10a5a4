import { randomUUID } from 'node:crypto';
import { applyBatchTransition } from '../../features/audit/batch-transition.js';
import type { StoredKaConfiguration } from '../../features/ka-configurations/ka-configuration-store.js';
import type { LicenseRequestBatchStore } from '../../features/license-requests/license-request-batch-store.js';
import type { LicenseRequest, LicenseRequestState } from '../../features/license-requests/license-request.js';
import type { LicenseBatchStore } from '../../features/licenses/license-batch-store.js';
import type { LicenseSummary } from '../../features/licenses/license.js';
import { isUniqueViolation } from '../../infra/db/transaction.js';
import { workerActor } from '../../kernel/actor.js';
import type { IssuedKey, LicenseFileContent } from '../../plugin-sdk/ka-adapter.js';
import { isKaError } from '../../plugin-sdk/ka-error.js';
import type { AdapterCache } from '../adapter-cache.js';
import type { WorkKey } from '../engine/provisioning-engine.js';
import { checkIssuedKey, checkLicenseFiles } from '../ka-answer-checks.js';
import { termOfKey } from '../key-term.js';
import { installPackageOf, keyReferenceOf, newLicenseOf } from '../steps/step-payloads.js';
import { observePaidToInstalledMany } from '../paid-to-installed.js';
import type { PipelineDeps, StepInput, StepResult } from '../pipeline-deps.js';
import { installTargetOf, serviceSettingsOfMany } from '../service-settings.js';
import { recordFailure } from '../step-failure.js';
import { licenseOrderOf, unusableReason } from '../step-input.js';

/** What the batch pipeline needs beyond the single-request pipeline's deps. */
export interface BatchDeps extends PipelineDeps {
  batchRequests: LicenseRequestBatchStore;
  batchLicenses: LicenseBatchStore;
  /** `termEndOf` for many subscriptions in one read; absent: the term of a lease is its key's. */
  termEndsOf?(subscriptionIds: number[]): Promise<Map<number, number>>;
}

/** One batch being run: its lease token, and the requests it hands to the single-request pipeline. */
interface BatchRun {
  token: string;
  leasedAt: number;
  handedOff: Array<{ id: number; key: WorkKey; delayMs?: number }>;
}

/** One request of a batch, with what its steps learnt so far. */
interface Item extends StepInput {
  key?: IssuedKey;
  license?: LicenseSummary;
  files?: LicenseFileContent[];
  detail?: string;
}

/**
 * The pipeline for many ready requests at once: one worker leases up to `size` of them with
 * one guarded update, and each step (issue, store the keys, store the files, install) writes
 * the whole batch's moves, licenses, files, audit and outbox events in one transaction of a
 * few multi-row statements, while the KA calls of the step run side by side, one per request.
 *
 * Each step persists before its KA call exactly as the single-request steps do (`issuing`
 * with its send time before the issue call), so a crash anywhere leaves every request in a
 * state the single-request pipeline resumes from once the lease runs out. A request that
 * leaves the happy path (a KA failure, a key another license holds, a person acting on it)
 * is recorded as the single-request step would and handed to that pipeline (`handOff`);
 * the batch goes on with the rest.
 */
export class ReadyBatch {
  constructor(
    private readonly deps: BatchDeps,
    private readonly adapters: AdapterCache,
    /** Gives a request to the single-request pipeline: its job for `key`, after `delayMs`. */
    private readonly handOff: (id: number, key: WorkKey, delayMs?: number) => Promise<void>,
    readonly size: number,
  ) {}

  /** Claims one batch and runs it through; answers how many requests it claimed. */
  async runOnce(): Promise<number> {
    const { deps } = this;
    const token = randomUUID();
    const claimed = await deps.batchRequests.claimReady(deps.db, token, deps.policy.leaseMs, this.size);
    if (!claimed.length) return 0;
    const run: BatchRun = { token, handedOff: [], leasedAt: deps.now() };
    try {
      let items = await this.inputs(run, claimed);
      items = await this.issue(run, items);
      items = await this.storeKeys(run, items);
      items = await this.storeFiles(run, this.withinLease(run, items, 'key_issued'));
      await this.install(run, this.withinLease(run, items, 'installing'));
    } finally {
      // Whatever the batch did not finish goes back, then on to the single-request pipeline.
      await deps.batchRequests.release(
        deps.db,
        claimed.map((r) => r.id),
        token,
      );
      for (const item of run.handedOff) await this.handOff(item.id, item.key, item.delayMs);
    }
    return claimed.length;
  }

  /**
   * The engine's rule for a long job: past half the lease, the batch starts no more KA calls
   * and hands what it holds, persisted in `state`, to single jobs, so no request's lease runs
   * out while a call is on its way.
   */
  private withinLease(run: BatchRun, items: Item[], state: LicenseRequestState): Item[] {
    if (this.deps.now() - run.leasedAt <= this.deps.policy.leaseMs / 2) return items;
    for (const item of items) this.later(run, item.request, state, 'now');
    return [];
  }

  /** Hands a request that left the batch to the single-request pipeline, now or when its retry is due. */
  private later(run: BatchRun, request: LicenseRequest, state: LicenseRequestState, result: StepResult | 'now'): void {
    const key = { state, attempts: request.attempts };
    if (result === 'now') run.handedOff.push({ id: request.id, key });
    else if (result.next === 'later') run.handedOff.push({ id: request.id, key, delayMs: result.delayMs });
  }

  private async inputs(run: BatchRun, claimed: LicenseRequest[]): Promise<Item[]> {
    const { deps } = this;
    const configurations = new Map<number, StoredKaConfiguration>();
    for (const id of new Set(claimed.map((r) => r.configurationId)))
      configurations.set(id, await deps.configurations.get(id));
    const services = await serviceSettingsOfMany(
      deps,
      claimed.map((r) => r.serviceId),
    );
    const items: Item[] = [];
    for (const request of claimed) {
      const configuration = configurations.get(request.configurationId) as StoredKaConfiguration;
      // The single-request step sends it to staff with the reason.
      if (unusableReason(deps.configurations, configuration)) {
        this.later(run, request, 'ready', 'now');
        continue;
      }
      const service = request.serviceId === null ? {} : (services.get(request.serviceId) ?? {});
      items.push({
        request,
        configuration,
        adapter: this.adapters.get(configuration),
        order: licenseOrderOf(request, service),
        installTarget: installTargetOf(request.serviceId, service),
        memo: { configuration },
      });
    }
    return items;
  }

  /** `ready → issuing` (the send time first), then every issue call at once. */
  private async issue(run: BatchRun, items: Item[]): Promise<Item[]> {
    const { deps } = this;
    const sentAt = deps.now();
    const moved = new Set(
      await applyBatchTransition(
        deps.db,
        deps,
        deps.batchRequests.moveMany(
          items.map((i) => i.request.id),
          'ready',
          'issuing',
          run.token,
          { countAttempt: true, issueSentAt: sentAt, lastError: null },
        ),
        {
          actor: workerActor,
          action: 'license_request.issuing',
          data: (id) => {
            const item = items.find((i) => i.request.id === id);
            return { attempt: (item?.request.attempts ?? 0) + 1, configurationId: item?.configuration.id };
          },
        },
      ),
    );
    const issuing = items
      .filter((i) => moved.has(i.request.id))
      .map((i) => ({
        ...i,
        request: {
          ...i.request,
          state: 'issuing' as const,
          attempts: i.request.attempts + 1,
          lastError: null,
          issueSentAt: new Date(sentAt).toISOString(),
        },
      }));
    const issued = await Promise.all(
      issuing.map(async (item): Promise<Item | undefined> => {
        const secrets = deps.configurations.secretsOf(item.configuration);
        const failed = async (err: unknown, refused: boolean) => {
          // A known refusal means no key was made: back to `ready`; otherwise the key may exist.
          const unknown = !refused || (isKaError(err) && err.outcomeUnknown);
          const result = await recordFailure(deps, {
            request: item.request,
            fromState: 'issuing',
            retryState: unknown ? 'issuing' : 'ready',
            step: 'issue key',
            attempts: item.request.attempts,
            err,
            secrets,
            issueRefused: refused,
          });
          this.later(run, item.request, unknown ? 'issuing' : 'ready', result);
          return undefined;
        };
        let key: IssuedKey;
        try {
          key = await item.adapter.issueKey(item.order);
        } catch (err) {
          return failed(err, true);
        }
        const unfit = checkIssuedKey(key);
        return unfit ? failed(unfit, false) : { ...item, key };
      }),
    );
    return issued.filter((i): i is Item => i !== undefined);
  }

  /** `issuing → key_issued` with every license in one transaction. */
  private async storeKeys(run: BatchRun, items: Item[]): Promise<Item[]> {
    const { deps } = this;
    if (!items.length) return [];
    const leased = items.filter((i) => i.key?.termKind === 'lease' && i.request.subscriptionId !== null);
    const termEnds =
      leased.length && deps.termEndsOf
        ? await deps.termEndsOf(leased.map((i) => i.request.subscriptionId as number))
        : new Map<number, number>();
    const now = deps.now();
    const licenses = new Map<number, LicenseSummary>();
    try {
      await applyBatchTransition(
        deps.db,
        deps,
        deps.batchRequests.moveMany(
          items.map((i) => i.request.id),
          'issuing',
          'key_issued',
          run.token,
          { attempts: 0, lastError: null, nextAttemptAt: now, keyCandidates: null },
        ),
        async (tx, moved) => {
          const movedSet = new Set(moved);
          const stored = await deps.batchLicenses.insertMany(
            tx,
            items
              .filter((i) => movedSet.has(i.request.id))
              .map(({ request, configuration, key }) => {
                const issued = key as IssuedKey;
                const termEndsAt =
                  issued.termKind === 'lease' && request.subscriptionId !== null
                    ? (termEnds.get(request.subscriptionId) ?? null)
                    : null;
                const license = newLicenseOf(request, configuration, issued, termOfKey(issued, { termEndsAt, now }));
                return license;
              }),
          );
          for (const [requestId, license] of stored) licenses.set(requestId, license);
          const keyOf = (id: number) => items.find((i) => i.request.id === id)?.key?.keyNumber;
          return {
            actor: workerActor,
            action: 'license_request.key_issued',
            data: (id) => ({ keyNumber: keyOf(id), licenseId: licenses.get(id)?.id, how: 'issued' }),
            // Lost the race (a person cancelled or uploaded meanwhile): the key stays at the KA.
            whenLost: (id) => [
              {
                actor: workerActor,
                action: 'license_request.key_orphaned',
                entityType: 'license_request',
                entityId: id,
                data: { keyNumber: keyOf(id) },
              },
            ],
          };
        },
      );
    } catch (err) {
      // Nothing of the batch was stored, but every key exists at the KA: each request stays in
      // `issuing` with its send time, where the single-request lookup finds its key by our
      // reference. A key another license holds (the unique index) goes the same way.
      for (const item of items) {
        if (isUniqueViolation(err)) {
          this.later(run, item.request, 'issuing', 'now');
          continue;
        }
        const result = await recordFailure(deps, {
          request: item.request,
          fromState: 'issuing',
          retryState: 'issuing',
          step: 'store key',
          attempts: item.request.attempts,
          err,
          secrets: deps.configurations.secretsOf(item.configuration),
        });
        this.later(run, item.request, 'issuing', result);
      }
      return [];
    }
    return items
      .filter((i) => licenses.has(i.request.id))
      .map((i) => ({
        ...i,
        license: licenses.get(i.request.id),
        request: { ...i.request, state: 'key_issued' as const, attempts: 0, lastError: null },
      }));
  }

  /** Every file fetch at once, then `key_issued → installing` with the files in one transaction. */
  private async storeFiles(run: BatchRun, items: Item[]): Promise<Item[]> {
    const { deps } = this;
    const fetched = (
      await Promise.all(
        items.map(async (item): Promise<Item | undefined> => {
          const license = item.license as LicenseSummary;
          try {
            const files = await item.adapter.retrieveFiles(keyReferenceOf(license));
            const unfit = checkLicenseFiles(files);
            if (unfit) throw unfit;
            return { ...item, files };
          } catch (err) {
            await this.failed(run, item, 'key_issued', 'retrieve files', err);
            return undefined;
          }
        }),
      )
    ).filter((i): i is Item => i !== undefined);
    if (!fetched.length) return [];
    const revisionOf = (item: Item) => item.files?.find((f) => f.revision)?.revision;
    let moved: Set<number>;
    try {
      moved = new Set(
        await applyBatchTransition(
          deps.db,
          deps,
          deps.batchRequests.moveMany(
            fetched.map((i) => i.request.id),
            'key_issued',
            'installing',
            run.token,
            { attempts: 0, lastError: null, nextAttemptAt: deps.now() },
          ),
          async (tx, ids) => {
            const won = fetched.filter((i) => ids.includes(i.request.id));
            await deps.batchLicenses.insertFirstFiles(
              tx,
              won.map((i) => ({ licenseId: (i.license as LicenseSummary).id, files: i.files ?? [] })),
            );
            const revisions = new Map<number, string>();
            for (const item of won) {
              const revision = revisionOf(item);
              if (revision) revisions.set((item.license as LicenseSummary).id, revision);
            }
            await deps.batchLicenses.setStatusMany(
              tx,
              won.map((i) => (i.license as LicenseSummary).id),
              ['issued'],
              'files_retrieved',
              { revisions },
            );
            const itemOf = (id: number) => won.find((i) => i.request.id === id) as Item;
            return {
              actor: workerActor,
              action: 'license_request.files_retrieved',
              toState: 'files_retrieved',
              data: (id) => {
                const item = itemOf(id);
                const revision = revisionOf(item);
                return {
                  files: (item.files ?? []).map((f) => f.fileName),
                  ...(revision ? { revision } : {}),
                  newFileSet: (item.files ?? []).length > 0,
                };
              },
              also: (id) => [
                {
                  actor: workerActor,
                  action: 'license_request.installing',
                  entityType: 'license_request',
                  entityId: id,
                  fromState: 'files_retrieved',
                  toState: 'installing',
                },
              ],
            };
          },
        ),
      );
    } catch (err) {
      for (const item of fetched) await this.failed(run, item, 'key_issued', 'retrieve files', err);
      return [];
    }
    return fetched
      .filter((i) => moved.has(i.request.id))
      .map((i) => ({ ...i, request: { ...i.request, state: 'installing' as const } }));
  }

  /** Every delivery at once, then `installing → installed` (lease given back) in one transaction. */
  private async install(run: BatchRun, items: Item[]): Promise<void> {
    const { deps } = this;
    const delivered = (
      await Promise.all(
        items.map(async (item): Promise<Item | undefined> => {
          const license = item.license as LicenseSummary;
          const target = item.installTarget;
          if (!target) return { ...item, detail: 'attached to the subscription (no install target)' };
          try {
            const receipt = await item.adapter.install(installPackageOf(license, item.files ?? []), target);
            return { ...item, detail: receipt.detail ?? `installed into service ${target.serviceId}` };
          } catch (err) {
            await this.failed(run, item, 'installing', 'install', err);
            return undefined;
          }
        }),
      )
    ).filter((i): i is Item => i !== undefined);
    if (!delivered.length) return;
    const now = deps.now();
    const itemOf = (id: number) => delivered.find((i) => i.request.id === id) as Item;
    let installed: number[];
    try {
      installed = await applyBatchTransition(
        deps.db,
        deps,
        deps.batchRequests.moveMany(
          delivered.map((i) => i.request.id),
          'installing',
          'installed',
          run.token,
          { attempts: 0, lastError: null, nextAttemptAt: null, reason: null, releaseLease: true },
        ),
        async (tx, ids) => {
          await deps.batchLicenses.setStatusMany(
            tx,
            ids.map((id) => (itemOf(id).license as LicenseSummary).id),
            ['issued', 'files_retrieved', 'installed'],
            'installed',
            { installedAt: now },
          );
          return {
            actor: workerActor,
            action: 'license_request.installed',
            data: (id) => {
              const { license, detail } = itemOf(id);
              return { licenseId: license?.id, keyNumber: license?.keyNumber, detail };
            },
            event: (id) => {
              const { license, detail } = itemOf(id);
              return { type: 'license.installed', payload: { entityId: license?.id, detail } };
            },
          };
        },
      );
    } catch (err) {
      for (const item of delivered) await this.failed(run, item, 'installing', 'install', err);
      return;
    }
    if (!installed.length) return;
    // One line per license, as the single path logs it: operators search by key or request.
    for (const id of installed) {
      const { license } = itemOf(id);
      deps.logger.info({ requestId: id, licenseId: license?.id, keyNumber: license?.keyNumber }, 'license installed');
    }
    await observePaidToInstalledMany(
      deps,
      installed.map((id) => itemOf(id).request.subscriptionId),
      now,
    );
  }

  /** A step failed for one request: recorded as the single-request step records it. */
  private async failed(
    run: BatchRun,
    item: Item,
    state: LicenseRequestState,
    step: string,
    err: unknown,
  ): Promise<void> {
    const result = await recordFailure(this.deps, {
      request: item.request,
      fromState: state,
      retryState: state,
      step,
      attempts: item.request.attempts + 1,
      err,
      secrets: this.deps.configurations.secretsOf(item.configuration),
    });
    this.later(run, { ...item.request, attempts: item.request.attempts + 1 }, state, result);
  }
}
