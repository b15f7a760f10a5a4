import { randomUUID } from 'node:crypto';
import { workerActor } from '../features/audit/audit-event.js';
import type { LicenseRequest, LicenseRequestState } from '../features/license-requests/license-request.js';
import { advanceJob, advanceJobId } from '../features/license-requests/license-request-jobs.js';
import { fromJson } from '../infra/db/rows.js';
import type { JobQueue } from '../infra/queue/job-queue.js';
import type { LicenseOrder } from '../plugin-sdk/ka-adapter.js';
import type { AdapterCache } from './adapter-cache.js';
import type { PipelineDeps, StepInput, StepResult } from './pipeline-deps.js';
import { install } from './steps/install-step.js';
import { issueKey, resolveUnknownIssue } from './steps/issue-step.js';
import { retrieveFiles } from './steps/retrieve-files-step.js';

/** States in which the pipeline, not a person, owes the next move. */
export const workingStates: LicenseRequestState[] = ['ready', 'issuing', 'key_issued', 'files_retrieved', 'installing'];

/**
 * The license pipeline: one job advances a request by one step, persists it, and enqueues the
 * next. The job carries only the request id; the database says what to do.
 */
export class LicensePipeline {
  constructor(
    private readonly deps: PipelineDeps,
    private readonly queue: JobQueue,
    private readonly adapters: AdapterCache,
  ) {}

  /** Enqueue the next step; the job id makes duplicates of one step of one attempt collapse. */
  async enqueue(requestId: number, state: string, attempts: number, delayMs = 0, idSuffix = ''): Promise<void> {
    const jobId = advanceJobId(requestId, state, attempts) + (idSuffix ? `-${idSuffix}` : '');
    await this.queue.enqueue(advanceJob, { requestId }, { jobId, delayMs, attempts: 3 });
  }

  async advance(requestId: number): Promise<void> {
    const token = randomUUID();
    if (!(await this.deps.requests.acquireLease(this.deps.db, requestId, token, this.deps.policy.leaseMs))) return;
    let result: StepResult = { next: 'none' };
    try {
      result = await this.step(requestId);
    } finally {
      await this.deps.requests.releaseLease(this.deps.db, requestId, token);
    }
    // After the lease is released, so the next job can claim it at once.
    if (result.next !== 'none') {
      const current = await this.deps.requests.get(this.deps.db, requestId);
      if (current && workingStates.includes(current.state)) await this.enqueue(requestId, current.state, current.attempts, result.next === 'later' ? result.delayMs : 0);
    }
  }

  private async step(requestId: number): Promise<StepResult> {
    const request = await this.deps.requests.get(this.deps.db, requestId);
    if (!request || !workingStates.includes(request.state)) return { next: 'none' };
    // A duplicate or early job: the retry is scheduled for later.
    if (request.nextAttemptAt && Date.parse(request.nextAttemptAt) > this.deps.now() + 1_000) return { next: 'none' };
    const input = await this.inputFor(request);
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

  private async inputFor(request: LicenseRequest): Promise<StepInput | undefined> {
    const configuration = await this.deps.configurations.get(request.configurationId);
    const unusable = !configuration.enabled
      ? 'the KA configuration is disabled'
      : this.deps.configurations.pluginMissing(configuration)
        ? `the KA plugin ${configuration.pluginName} is missing`
        : undefined;
    if (unusable) {
      const reason = `${request.state}: ${unusable}`;
      await this.deps.db.transaction(async (tx) => {
        if (await this.deps.requests.transition(tx, request.id, request.state, 'needs_manual', { reason, nextAttemptAt: null })) {
          await this.deps.audit.record(tx, { actor: workerActor, action: 'license_request.needs_manual', entityType: 'license_request', entityId: request.id, fromState: request.state, toState: 'needs_manual', data: { reason } });
        }
      });
      return undefined;
    }
    const ips = await this.serverIps(request.serviceId);
    const order: LicenseOrder = {
      requestId: String(request.id),
      reference: request.reference,
      product: request.product,
      features: request.features,
      quantity: request.quantity,
      periodMonths: request.periodMonths ?? undefined,
      server: ips.length ? { ips, macs: [] } : undefined,
    };
    return { request, configuration, adapter: this.adapters.get(configuration), order };
  }

  private async serverIps(serviceId: number | null): Promise<string[]> {
    if (serviceId === null) return [];
    const row = await this.deps.db('services').select('settings').where({ id: serviceId }).first();
    return fromJson<{ ips?: string[] }>(row?.settings, {}).ips ?? [];
  }
}
