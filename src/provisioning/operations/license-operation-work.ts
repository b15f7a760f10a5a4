import type { PipelineConfig } from '../../config/config.js';
import type { AuditStore } from '../../features/audit/audit-store.js';
import { applyTransition, type TransitionEventWriter } from '../../features/audit/transition.js';
import type { KaConfigurationService } from '../../features/ka-configurations/ka-configuration-service.js';
import { errorRecord } from '../../features/ka-configurations/ka-error-record.js';
import { enqueueOperation } from '../../features/licenses/license-operation-jobs.js';
import {
  isUniqueViolation,
  type KeyFacts,
  type LicenseOperation,
  type LicenseOperationState,
} from '../../features/licenses/license-operation-store.js';
import type { LicenseStore } from '../../features/licenses/license-store.js';
import { foundFacts } from '../../features/licenses/operation-resolution.js';
import {
  type WorkedOperationStore,
  type WorkedPatch,
  workedStates,
} from '../../features/licenses/worked-operation-store.js';
import type { Db } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Logger } from '../../infra/log/logger.js';
import { workerActor } from '../../kernel/actor.js';
import { isKaError } from '../../plugin-sdk/ka-error.js';
import type { AdapterCache } from '../adapter-cache.js';
import { type EngineEntity, type EngineStep, ProvisioningEngine, type WorkKey } from '../engine/provisioning-engine.js';
import { decideOnFailure, decideRetry } from '../retry-policy.js';
import type { AppliedHow, OperationContext, OperationKind } from './operation-kind.js';

export interface LicenseOperationWorkDeps {
  db: Db;
  operations: WorkedOperationStore;
  licenses: LicenseStore;
  audit: AuditStore;
  events: TransitionEventWriter;
  configurations: KaConfigurationService;
  policy: PipelineConfig;
  logger: Logger;
  now: () => number;
}

/** A worker-run operation held by one job: its id and the lease token the job took it with. */
export interface HeldOperation {
  id: number;
  token: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The provisioning engine's entity for worker-run license operations (`license_operations`
 * rows with a cause): the queue carries their ids, a worker takes one under a lease and moves
 * it with guarded updates, each with its audit event:
 *
 * `pending` → (the license taken: one open operation per license) `in_progress` → the key read
 * at the KA, then the send time stored → the KA call → `succeeded` with Keyway's side of the
 * change in the same transaction. A failure the KA reports before acting goes back to
 * `pending` (the license given back) for a retry with backoff; a call whose outcome is unknown
 * waits in `outcome_unknown` (the license kept) and is settled by reading the key, never by
 * calling again. Spent retries, refusals and readings that cannot tell go to `needs_manual`,
 * where staff retry or cancel it.
 */
export class LicenseOperationWork implements EngineEntity<HeldOperation> {
  readonly name = 'license_operation';
  readonly engine: ProvisioningEngine<HeldOperation>;
  private readonly kinds = new Map<string, OperationKind>();

  constructor(
    private readonly deps: LicenseOperationWorkDeps,
    private readonly queue: JobQueue,
    private readonly adapters: AdapterCache,
    kinds: OperationKind[],
  ) {
    for (const kind of kinds) this.kinds.set(kind.kind, kind);
    this.engine = new ProvisioningEngine(this, {
      leaseMs: deps.policy.leaseMs,
      graceMs: 2 * deps.policy.reconcileEveryMs,
      now: deps.now,
    });
  }

  /** The job. */
  run(operationId: number): Promise<void> {
    return this.engine.run(operationId);
  }

  async enqueue(id: number, key: WorkKey, options: { delayMs?: number; idSuffix?: string } = {}): Promise<void> {
    await enqueueOperation(this.queue, id, key.state, key.attempts, options);
  }

  async acquire(id: number, token: string, leaseUntil: number): Promise<HeldOperation | undefined> {
    return (await this.deps.operations.acquire(this.deps.db, id, token, leaseUntil)) ? { id, token } : undefined;
  }

  async release(held: HeldOperation): Promise<void> {
    await this.deps.operations.release(this.deps.db, held.id, held.token);
  }

  async owed(id: number): Promise<WorkKey | undefined> {
    const operation = await this.deps.operations.get(this.deps.db, id);
    return operation && workedStates.includes(operation.state)
      ? { state: operation.state, attempts: operation.attempts }
      : undefined;
  }

  async lost(dueBefore: number, limit: number): Promise<Array<{ id: number; key: WorkKey }>> {
    const due = await this.deps.operations.dueForWork(this.deps.db, limit, dueBefore);
    return due.map((r) => ({ id: r.id, key: { state: r.state, attempts: r.attempts } }));
  }

  async step(held: HeldOperation): Promise<EngineStep<HeldOperation>> {
    const { db, operations, licenses, configurations } = this.deps;
    const operation = await operations.get(db, held.id);
    if (!operation || !workedStates.includes(operation.state)) return { next: 'none' };
    if (operation.nextAttemptAt && operation.nextAttemptAt > this.deps.now() + 1_000) return { next: 'none' };
    const license = await licenses.get(db, operation.licenseId);
    if (!license) throw new Error(`license operation ${operation.id} has no license ${operation.licenseId}`);
    const kind = this.kinds.get(operation.kind);
    if (!kind) return this.toStaff(operation, held, `the workers do not know operation kind ${operation.kind}`);
    const configuration = await configurations.get(license.configurationId);
    const ctx: OperationContext = {
      operation,
      license,
      configuration,
      adapter: this.adapters.get(configuration),
      capabilities: configurations.capabilities(configuration),
    };
    if (operation.state === 'pending') return this.start(ctx, held);
    if (operation.state === 'in_progress' && !operation.sentAt) return this.sendOnce(kind, ctx, held);
    // Sent, and the worker that sent it is gone, or the outcome was unknown: read, never resend.
    return this.settleByReading(kind, ctx, held);
  }

  /** `pending → in_progress`: takes the license, or waits while another operation holds it. */
  private async start(ctx: OperationContext, held: HeldOperation): Promise<EngineStep<HeldOperation>> {
    const { operation } = ctx;
    try {
      const moved = await applyTransition(
        this.deps.db,
        this.deps,
        this.deps.operations.move(operation, 'pending', 'in_progress', { holdLicense: true, sentAt: null }, held.token),
        { actor: workerActor, action: 'license_operation.started', data: this.about(ctx) },
      );
      return moved ? { next: 'now', held } : { next: 'none' };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const attempts = operation.attempts + 1;
      const message = `another operation is open on key ${ctx.license.keyNumber}; this one waits for it`;
      const decision = decideRetry({ message, retryable: true }, attempts, 'start', this.deps.policy);
      if (decision.kind === 'manual') return this.toStaff(operation, held, decision.reason, 'pending');
      return this.retryLater(operation, held, 'pending', attempts, decision.delayMs, {
        code: 'license_busy',
        message,
      });
    }
  }

  /** Plans, reads the key, stores the send time, and calls the KA once. */
  private async sendOnce(
    kind: OperationKind,
    ctx: OperationContext,
    held: HeldOperation,
  ): Promise<EngineStep<HeldOperation>> {
    const { operation, license, adapter } = ctx;
    const secrets = this.deps.configurations.secretsOf(ctx.configuration);
    let plan: Awaited<ReturnType<OperationKind['plan']>>;
    try {
      plan = await kind.plan(ctx);
    } catch (err) {
      return this.failedBeforeSending(ctx, held, 'plan', err, secrets);
    }
    if (plan.do === 'refuse') return this.toStaff(operation, held, plan.reason, 'in_progress');
    if (plan.do === 'keyway_only')
      return this.applied(kind, ctx, held, 'in_progress', { kind: 'keyway_only', result: plan.result });
    let before: KeyFacts = {
      status: license.status,
      // The key's own expiry, what a reading of the key is compared with.
      expiresAt: license.keyExpiresAt ?? license.expiresAt,
      updatesUntil: license.updatesUntil,
      fullKeyNumber: license.fullKeyNumber,
    };
    if (adapter.getKeyInfo) {
      try {
        const info = await adapter.getKeyInfo(license.keyNumber);
        const facts = foundFacts(info);
        before = {
          ...before,
          atKa: {
            expiresAt: facts.expiresAt as string | null,
            fullKeyNumber: facts.fullKeyNumber as string | null,
            suspended: info.suspended,
            terminated: info.terminated,
          },
        };
      } catch (err) {
        return this.failedBeforeSending(ctx, held, 'read the key before the call', err, secrets);
      }
    }
    // Stored before the call: from here on, a crash or a timeout is settled by reading the key.
    const sent = await applyTransition(
      this.deps.db,
      this.deps,
      this.deps.operations.move(
        operation,
        'in_progress',
        'in_progress',
        { before, sentAt: this.deps.now() },
        held.token,
      ),
      { actor: workerActor, action: 'license_operation.sending', data: { ...this.about(ctx), before } },
    );
    if (!sent) return { next: 'none' };
    const sentCtx = { ...ctx, operation: sent };
    let answer: Awaited<ReturnType<OperationKind['send']>>;
    try {
      answer = await kind.send(sentCtx);
    } catch (err) {
      const error = { ...errorRecord(err, secrets), step: operation.kind };
      const attempts = operation.attempts + 1;
      if (!isKaError(err) || err.outcomeUnknown) {
        const decision = decideOnFailure(err, attempts, operation.kind, this.deps.policy);
        if (decision.kind === 'manual') return this.toStaff(sent, held, decision.reason, 'in_progress', error);
        return this.retryLater(sent, held, 'in_progress', attempts, decision.delayMs, error, 'outcome_unknown');
      }
      // The KA answered that it did not act: nothing happened, the license is given back.
      return this.notApplied(sent, held, 'in_progress', attempts, err, error);
    }
    return this.applied(kind, sentCtx, held, 'in_progress', { kind: 'answered', answer });
  }

  /** The outcome of a sent call is unknown: the key, read at the KA, says whether it happened. */
  private async settleByReading(
    kind: OperationKind,
    ctx: OperationContext,
    held: HeldOperation,
  ): Promise<EngineStep<HeldOperation>> {
    const { operation, license, adapter } = ctx;
    const from = operation.state;
    const check = `check at the KA whether ${operation.kind} of key ${license.keyNumber} happened (before: ${JSON.stringify(operation.before?.atKa ?? operation.before)})`;
    if (!adapter.getKeyInfo)
      return this.toStaff(operation, held, `the outcome is unknown and the plugin cannot read keys: ${check}`, from);
    const secrets = this.deps.configurations.secretsOf(ctx.configuration);
    let info: Awaited<ReturnType<NonNullable<typeof adapter.getKeyInfo>>>;
    try {
      info = await adapter.getKeyInfo(license.keyNumber);
    } catch (err) {
      const error = { ...errorRecord(err, secrets), step: 'read the key to settle the outcome' };
      const attempts = operation.attempts + 1;
      const decision = decideOnFailure(err, attempts, 'read the key', this.deps.policy);
      if (decision.kind === 'manual') return this.toStaff(operation, held, `${decision.reason}; ${check}`, from, error);
      return this.retryLater(operation, held, from, attempts, decision.delayMs, error, 'outcome_unknown');
    }
    const verdict = kind.verdict(operation.before, info, operation);
    const found = foundFacts(info);
    if ('unclear' in verdict)
      return this.toStaff(operation, held, `the reading of the key does not tell: ${verdict.unclear}; ${check}`, from);
    await this.deps.audit.record(this.deps.db, {
      actor: workerActor,
      action: 'license.operation_resolved',
      entityType: 'license',
      entityId: license.id,
      data: { operationId: operation.id, kind: operation.kind, applied: verdict.applied, how: 'read', found },
    });
    if (verdict.applied) return this.applied(kind, ctx, held, from, { kind: 'read', info });
    // Proven not done: it is sent again on the next attempt (the budget counts it).
    const attempts = operation.attempts;
    const decision = decideRetry(
      { message: 'the KA had not acted', retryable: true },
      attempts,
      operation.kind,
      this.deps.policy,
    );
    if (decision.kind === 'manual') return this.toStaff(operation, held, decision.reason, from);
    return this.retryLater(operation, held, from, attempts, decision.delayMs, null, 'pending');
  }

  /** Closes the operation as succeeded, with the kind's change, in one transaction. */
  private async applied(
    kind: OperationKind,
    ctx: OperationContext,
    held: HeldOperation,
    from: LicenseOperationState,
    how: AppliedHow,
  ): Promise<EngineStep<HeldOperation>> {
    let after: (() => Promise<void>) | undefined;
    const moved = await applyTransition(
      this.deps.db,
      this.deps,
      this.deps.operations.move(ctx.operation, from, 'succeeded', { closed: true, nextAttemptAt: null }, held.token),
      async (tx) => {
        const record = await kind.applied(tx, ctx, how);
        after = record.after;
        await tx('license_operations')
          .where({ id: ctx.operation.id })
          .update({ result: JSON.stringify({ applied: true, how: how.kind, ...(record.result ?? {}) }) });
        return {
          actor: workerActor,
          action: 'license_operation.succeeded',
          data: { ...this.about(ctx), how: how.kind },
          also: record.audit,
        };
      },
    );
    if (moved && after) {
      try {
        await after();
      } catch (err) {
        this.deps.logger.warn({ err, operationId: ctx.operation.id }, 'after an operation: the reconciler redoes it');
      }
    }
    return { next: 'none' };
  }

  /** A failure before anything was sent (planning, reading the key): the license is given back. */
  private async failedBeforeSending(
    ctx: OperationContext,
    held: HeldOperation,
    step: string,
    err: unknown,
    secrets: string[],
  ): Promise<EngineStep<HeldOperation>> {
    const error = { ...errorRecord(err, secrets), step, sent: false };
    return this.notApplied(ctx.operation, held, 'in_progress', ctx.operation.attempts + 1, err, error);
  }

  /** The KA did not act (or nothing was sent): retried from `pending`, or given to staff. */
  private async notApplied(
    operation: LicenseOperation,
    held: HeldOperation,
    from: LicenseOperationState,
    attempts: number,
    err: unknown,
    error: Record<string, unknown>,
  ): Promise<EngineStep<HeldOperation>> {
    const decision = decideOnFailure(err, attempts, operation.kind, this.deps.policy);
    const clear: WorkedPatch = { releaseLicense: true, sentAt: null };
    if (decision.kind === 'manual') return this.toStaff(operation, held, decision.reason, from, error, clear);
    return this.retryLater(operation, held, from, attempts, decision.delayMs, error, 'pending', clear);
  }

  private async retryLater(
    operation: LicenseOperation,
    held: HeldOperation,
    from: LicenseOperationState,
    attempts: number,
    delayMs: number,
    error: Record<string, unknown> | null,
    to: LicenseOperationState = from,
    patch: WorkedPatch = {},
  ): Promise<EngineStep<HeldOperation>> {
    const back: WorkedPatch = to === 'pending' ? { ...patch, releaseLicense: true, sentAt: null } : { ...patch };
    const moved = await applyTransition(
      this.deps.db,
      this.deps,
      this.deps.operations.move(
        operation,
        from,
        to,
        { ...back, attempts, nextAttemptAt: this.deps.now() + delayMs, lastError: error ?? undefined },
        held.token,
      ),
      {
        actor: workerActor,
        action: to === 'outcome_unknown' ? 'license_operation.outcome_unknown' : 'license_operation.retry_scheduled',
        data: {
          licenseId: operation.licenseId,
          kind: operation.kind,
          attempt: attempts,
          retryAt: iso(this.deps.now() + delayMs),
        },
        error: error ?? undefined,
      },
    );
    return moved ? { next: 'later', delayMs } : { next: 'none' };
  }

  /**
   * To staff (`needs_manual`) with the reason. The license stays held only when a call was
   * sent and its outcome is still unknown: nothing else may act on the key until that is known.
   */
  private async toStaff(
    operation: LicenseOperation,
    held: HeldOperation,
    reason: string,
    from: LicenseOperationState = operation.state,
    error?: Record<string, unknown>,
    patch: WorkedPatch = {},
  ): Promise<EngineStep<HeldOperation>> {
    const outcomeUnknown = Boolean(operation.sentAt) && !patch.releaseLicense;
    await applyTransition(
      this.deps.db,
      this.deps,
      this.deps.operations.move(
        operation,
        from,
        'needs_manual',
        {
          ...patch,
          reason,
          nextAttemptAt: null,
          releaseLease: true,
          ...(outcomeUnknown ? {} : { releaseLicense: true }),
          ...(error ? { lastError: error } : {}),
        },
        held.token,
      ),
      {
        actor: workerActor,
        action: 'license_operation.needs_manual',
        data: { licenseId: operation.licenseId, kind: operation.kind, reason, outcomeUnknown },
        error,
      },
    );
    return { next: 'none' };
  }

  private about(ctx: OperationContext): Record<string, unknown> {
    return { licenseId: ctx.license.id, keyNumber: ctx.license.keyNumber, kind: ctx.operation.kind };
  }
}
