import { randomUUID } from 'node:crypto';
import { workerActor } from '../features/audit/audit-event.js';
import type { LicenseRequest, LicenseRequestState } from '../features/license-requests/license-request.js';
import { enqueueAdvance } from '../features/license-requests/license-request-jobs.js';
import type { JobQueue } from '../infra/queue/job-queue.js';
import type { LicenseOrder } from '../plugin-sdk/ka-adapter.js';
import type { AdapterCache } from './adapter-cache.js';
import type { JobMemo, PipelineDeps, StepInput, StepResult } from './pipeline-deps.js';
import { install } from './steps/install-step.js';
import { installTargetOf, serviceSettingsOf } from './service-settings.js';
import { issueKey } from './steps/issue-step.js';
import { resolveUnknownIssue } from './steps/lookup-step.js';
import { retrieveFiles } from './steps/retrieve-files-step.js';
import { applyTransition } from '../features/audit/transition.js';

/** States in which the pipeline, not a person, owes the next move. */
export const workingStates: LicenseRequestState[] = ['ready', 'issuing', 'key_issued', 'files_retrieved', 'installing'];

/** Most steps one job runs before it hands the request to a fresh job (a safety bound). */
const maxStepsPerJob = 8;

/**
 * The license pipeline: a job leases a request and advances it step by step (issue key,
 * retrieve files, install), persisting each step before the next, until the request is done,
 * waits for a retry or needs a person. The job carries only the request id; the database says
 * what to do, so a crash between steps resumes at the last persisted one.
 */
export class LicensePipeline {
  constructor(
    private readonly deps: PipelineDeps,
    private readonly queue: JobQueue,
    private readonly adapters: AdapterCache,
  ) {}

  /** Enqueue the next step; the job id makes duplicates of one step of one attempt collapse. */
  async enqueue(requestId: number, state: string, attempts: number, delayMs = 0, idSuffix = ''): Promise<void> {
    await enqueueAdvance(this.queue, requestId, state, attempts, { delayMs, idSuffix });
  }

  async advance(requestId: number): Promise<void> {
    const token = randomUUID();
    const leasedAt = this.deps.now();
    if (!(await this.deps.requests.acquireLease(this.deps.db, requestId, token, this.deps.policy.leaseMs))) return;
    let result: StepResult = { next: 'none' };
    const memo: JobMemo = {};
    try {
      // Consecutive steps run in this job while it holds the lease: one job per request instead
      // of one per step. Past half the lease, the rest goes to a new job so the lease never
      // lapses under a running step.
      // Each step hands the next the request as it left it, so only the first one reads it.
      let known: LicenseRequest | undefined;
      for (let steps = 0; steps < maxStepsPerJob; steps++) {
        result = await this.step(requestId, memo, known);
        if (result.next !== 'now' || this.deps.now() - leasedAt > this.deps.policy.leaseMs / 2) break;
        known = result.request;
      }
    } finally {
      if (!memo.leaseReleased) await this.deps.requests.releaseLease(this.deps.db, requestId, token);
    }
    // After the lease is released, so the next job can claim it at once.
    if (result.next !== 'none') {
      const current = await this.deps.requests.get(this.deps.db, requestId);
      if (current && workingStates.includes(current.state))
        await this.enqueue(requestId, current.state, current.attempts, result.next === 'later' ? result.delayMs : 0);
    }
  }

  private async step(requestId: number, memo: JobMemo, known: LicenseRequest | undefined): Promise<StepResult> {
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
    const unusable = !configuration.enabled
      ? 'the KA configuration is disabled'
      : this.deps.configurations.pluginMissing(configuration)
        ? `the KA plugin ${configuration.pluginName} is missing`
        : undefined;
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
    const ips = memo.service.ips ?? [];
    const order: LicenseOrder = {
      requestId: String(request.id),
      reference: request.reference,
      product: request.product,
      features: request.features,
      quantity: request.quantity,
      periodMonths: request.periodMonths ?? undefined,
      server: ips.length ? { ips, macs: [] } : undefined,
    };
    return {
      request,
      configuration,
      adapter: this.adapters.get(configuration),
      order,
      installTarget: installTargetOf(request.serviceId, memo.service),
      memo,
    };
  }
}
