import { workerActor } from '../kernel/actor.js';
import type { LicenseRequest, LicenseRequestState } from '../features/license-requests/license-request.js';
import { enqueueAdvance } from '../features/license-requests/license-request-jobs.js';
import type { JobQueue } from '../infra/queue/job-queue.js';
import type { AdapterCache } from './adapter-cache.js';
import { type EngineEntity, type EngineStep, ProvisioningEngine, type WorkKey } from './engine/provisioning-engine.js';
import type { JobMemo, PipelineDeps, StepInput, StepResult } from './pipeline-deps.js';
import { install } from './steps/install-step.js';
import { installTargetOf, serviceSettingsOf } from './service-settings.js';
import { issueKey } from './steps/issue-step.js';
import { resolveUnknownIssue } from './steps/lookup-step.js';
import { retrieveFiles } from './steps/retrieve-files-step.js';
import { licenseOrderOf, unusableReason } from './step-input.js';
import { applyTransition } from '../features/audit/transition.js';

/** States in which the pipeline, not a person, owes the next move. */
export const workingStates: LicenseRequestState[] = ['ready', 'issuing', 'key_issued', 'files_retrieved', 'installing'];

/** A license request held by one job: the request as the last step left it, and what the job read once. */
export interface HeldRequest {
  id: number;
  known?: LicenseRequest;
  memo: JobMemo;
}

/**
 * The license pipeline: the engine's entity for license requests. A job leases a request and
 * advances it step by step (issue key, retrieve files, install), until the request is done,
 * waits for a retry or needs a person (see `ProvisioningEngine`).
 */
export class LicensePipeline implements EngineEntity<HeldRequest> {
  readonly name = 'license_request';
  readonly engine: ProvisioningEngine<HeldRequest>;

  constructor(
    private readonly deps: PipelineDeps,
    private readonly queue: JobQueue,
    private readonly adapters: AdapterCache,
    reconcileGraceMs: number = 2 * deps.policy.reconcileEveryMs,
  ) {
    this.engine = new ProvisioningEngine(this, {
      leaseMs: deps.policy.leaseMs,
      graceMs: reconcileGraceMs,
      now: deps.now,
    });
  }

  /** Enqueue the next step; the job id makes duplicates of one step of one attempt collapse. */
  async enqueue(requestId: number, key: WorkKey, options: { delayMs?: number; idSuffix?: string } = {}): Promise<void> {
    await enqueueAdvance(this.queue, requestId, key.state, key.attempts, options);
  }

  /** The advance job. */
  advance(requestId: number): Promise<void> {
    return this.engine.run(requestId);
  }

  async acquire(id: number, token: string, leaseUntil: number): Promise<HeldRequest | undefined> {
    const leased = await this.deps.requests.acquireLease(this.deps.db, id, token, leaseUntil - this.deps.now());
    return leased ? { id, memo: {} } : undefined;
  }

  async step(held: HeldRequest): Promise<EngineStep<HeldRequest>> {
    // Each step hands the next the request as it left it, so only the first one reads it.
    const result = await this.stepOf(held.id, held.memo, held.known);
    return result.next === 'now' ? { next: 'now', held: { ...held, known: result.request } } : result;
  }

  async release(held: HeldRequest, token: string): Promise<void> {
    if (!held.memo.leaseReleased) await this.deps.requests.releaseLease(this.deps.db, held.id, token);
  }

  async owed(id: number): Promise<WorkKey | undefined> {
    const current = await this.deps.requests.get(this.deps.db, id);
    return current && workingStates.includes(current.state)
      ? { state: current.state, attempts: current.attempts }
      : undefined;
  }

  async lost(dueBefore: number, limit: number): Promise<Array<{ id: number; key: WorkKey }>> {
    const due = await this.deps.requests.dueForWork(this.deps.db, workingStates, limit, dueBefore);
    return due.map((r) => ({ id: r.id, key: { state: r.state, attempts: r.attempts } }));
  }

  private async stepOf(requestId: number, memo: JobMemo, known: LicenseRequest | undefined): Promise<StepResult> {
    const request = known ?? (await this.deps.requests.get(this.deps.db, requestId));
    if (!request || !workingStates.includes(request.state)) return { next: 'none' };
    // A duplicate or early job: the retry is scheduled for later.
    if (request.nextAttemptAt && Date.parse(request.nextAttemptAt) > this.deps.now() + 1_000) return { next: 'none' };
    const input = await this.inputFor(request, memo);
    if (!input) return { next: 'none' };
    switch (request.state) {
      case 'ready':
        return issueKey(this.deps, input);
      case 'issuing':
        return resolveUnknownIssue(this.deps, input);
      case 'key_issued':
        return retrieveFiles(this.deps, input);
      default:
        return install(this.deps, input);
    }
  }

  private async inputFor(request: LicenseRequest, memo: JobMemo): Promise<StepInput | undefined> {
    memo.configuration ??= await this.deps.configurations.get(request.configurationId);
    const configuration = memo.configuration;
    const unusable = unusableReason(this.deps.configurations, configuration);
    if (unusable) {
      const reason = `${request.state}: ${unusable}`;
      await applyTransition(
        this.deps.db,
        this.deps,
        this.deps.requests.transition(request.id, request.state, 'needs_manual', { reason, nextAttemptAt: null }),
        {
          actor: workerActor,
          action: 'license_request.needs_manual',
          data: { reason },
          event: { type: 'license_request.needs_manual', payload: {} },
        },
      );
      return undefined;
    }
    memo.service ??= await serviceSettingsOf(this.deps, request.serviceId);
    return {
      request,
      configuration,
      adapter: this.adapters.get(configuration),
      order: licenseOrderOf(request, memo.service),
      installTarget: installTargetOf(request.serviceId, memo.service),
      memo,
    };
  }
}
