import type { Db } from '../../infra/db/database.js';
import type { Logger } from '../../infra/log/logger.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { EngineEntity, EngineStep, WorkKey } from '../../provisioning/engine/provisioning-engine.js';
import { decideRetry, type RetryPolicy } from '../../provisioning/retry-policy.js';
import { workerActor } from '../../kernel/actor.js';
import type { AuditWriter } from '../audit/audit-store.js';
import { applyTransition } from '../audit/transition.js';
import type { Service } from './service.js';
import type { ServiceCallbackSigner } from './service-callback-signer.js';
import { SERVICE_PROVISION_JOB, type ServiceProvisionJob } from './service-jobs.js';
import { type ServiceProvisioner, ServiceProvisionError } from './service-provisioner.js';
import { dependenciesReady, dueAt, toServiceError } from './service-rules.js';
import type { ServiceGuard, ServiceStore } from './service-store.js';
import type { ServiceTransitions } from './service-transitions.js';

/** A job that fires at most this early (clock differences between hosts) still counts as due. */
const DUE_TOLERANCE_MS = 1000;
const RECONCILE_BATCH = 500;

/** A service claimed by one job: as the claim left it (provisioning, the attempt counted). */
export interface HeldService {
  service: Service;
  guard: ServiceGuard;
}

export interface ServiceWorkDeps {
  db: Db;
  queue: JobQueue;
  audit: AuditWriter;
  logger: Logger;
  signer: Pick<ServiceCallbackSigner, 'secretFor'>;
  store: ServiceStore;
  transitions: ServiceTransitions;
  provisioners: Map<string, ServiceProvisioner>;
  retry: RetryPolicy;
  callbackUrl(serviceId: number): string;
  /** After a service became ready: start what became startable, release the subscription when all is. */
  advance(subscriptionId: number): Promise<void>;
  /** Releases every subscription whose services are all ready; answers how many it looked at. */
  releaseStranded(): Promise<number>;
  now: () => number;
}

/**
 * Services as an entity of the provisioning engine: a job claims a pending service whose
 * dependencies are ready (or takes over a provisioning one whose worker's hold lapsed; the
 * claim is the hold and counts the attempt), calls its provisioner once, and records the
 * outcome: ready, waiting (for a callback or a person), a retry under the shared retry rule,
 * or failed.
 */
export class ServiceWork implements EngineEntity<HeldService> {
  readonly name = 'service';

  constructor(private readonly deps: ServiceWorkDeps) {}

  async acquire(id: number, _token: string, leaseUntil: number): Promise<HeldService | undefined> {
    const { db, store } = this.deps;
    const now = this.deps.now();
    const service = await store.get(db, id);
    if (!service) return undefined;
    const guard: ServiceGuard = { id: service.id, state: service.state, attempts: service.attempts };
    if (service.state === 'pending') {
      if (dueAt(service, now) > now + DUE_TOLERANCE_MS) return undefined;
      if (
        service.dependsOn.length &&
        !dependenciesReady(service, await store.listBySubscription(db, service.subscriptionId))
      )
        return undefined;
    } else if (service.state !== 'provisioning' || dueAt(service, now) > now) {
      return undefined;
    }
    const attempt = service.attempts + 1;
    const claimed = await applyTransition(db, this.deps, store.claim(guard, leaseUntil, now), {
      actor: workerActor,
      action: service.state === 'pending' ? 'service.provisioning' : 'service.provisioning_resumed',
      data: { attempt, provisioner: service.provisioner },
    });
    if (!claimed) return undefined;
    return {
      service: { ...service, state: 'provisioning', attempts: attempt },
      guard: { id: service.id, state: 'provisioning', attempts: attempt },
    };
  }

  async step({ service, guard }: HeldService): Promise<EngineStep<HeldService>> {
    const attempt = service.attempts;
    let outcome: 'ready' | 'waiting';
    try {
      const provisioner = this.deps.provisioners.get(service.provisioner);
      if (!provisioner)
        throw new ServiceProvisionError(`No provisioner named ${service.provisioner}`, {
          retryable: false,
          code: 'unknown_provisioner',
        });
      const ctx = {
        attempt,
        callbackUrl: this.deps.callbackUrl(service.id),
        callbackSecret: await this.deps.signer.secretFor(service.id),
      };
      outcome = (await provisioner.provision(service, ctx)).state;
    } catch (err) {
      return await this.attemptFailed(service, guard, err);
    }
    const moved = await this.deps.transitions.move(guard, outcome, {
      actor: workerActor,
      action: `service.${outcome}`,
      data: { attempt },
    });
    if (moved && outcome === 'ready') await this.deps.advance(service.subscriptionId);
    return { next: 'none' };
  }

  /** The claim is the hold: the move that ends the attempt ends it too, and a dead worker's lapses. */
  async release(): Promise<void> {}

  async owed(id: number): Promise<WorkKey | undefined> {
    const service = await this.deps.store.get(this.deps.db, id);
    return service && (service.state === 'pending' || service.state === 'provisioning')
      ? { state: service.state, attempts: service.attempts }
      : undefined;
  }

  /** The attempt count in the id: a retry is a new job, a duplicate of the same attempt is not. */
  async enqueue(id: number, key: WorkKey, options: { delayMs?: number; idSuffix?: string }): Promise<void> {
    await this.deps.queue.enqueue<ServiceProvisionJob>(
      SERVICE_PROVISION_JOB,
      { serviceId: id },
      {
        jobId: `service-${id}-${key.attempts}${options.idSuffix ? `-${options.idSuffix}` : ''}`,
        delayMs: options.delayMs ?? 0,
      },
    );
  }

  /**
   * Pending services whose dependencies are ready (due now or later: the job is delayed to
   * their time) and provisioning ones whose worker's hold ran out, of every subscription with
   * a service due.
   */
  async lost(dueBefore: number): Promise<Array<{ id: number; key: WorkKey; delayMs: number }>> {
    const { db, store } = this.deps;
    const now = this.deps.now();
    const subscriptions = new Set<number>();
    for (let afterId = 0; ; ) {
      const due = await store.listDue(db, dueBefore, RECONCILE_BATCH, afterId);
      for (const service of due) subscriptions.add(service.subscriptionId);
      const last = due[due.length - 1];
      if (!last || due.length < RECONCILE_BATCH) break;
      afterId = last.id;
    }
    const lost: Array<{ id: number; key: WorkKey; delayMs: number }> = [];
    for (const subscriptionId of subscriptions) {
      const services = await store.listBySubscription(db, subscriptionId);
      for (const s of services) {
        const startable = s.state === 'pending' && dependenciesReady(s, services);
        const lapsed = s.state === 'provisioning' && dueAt(s, now) <= now;
        if (startable || lapsed)
          lost.push({
            id: s.id,
            key: { state: s.state, attempts: s.attempts },
            delayMs: Math.max(0, dueAt(s, now) - now),
          });
      }
    }
    return lost;
  }

  /** Releases subscriptions whose services are all ready but whose release a crash lost. */
  sweep(): Promise<number> {
    return this.deps.releaseStranded();
  }

  private async attemptFailed(service: Service, held: ServiceGuard, err: unknown): Promise<EngineStep<HeldService>> {
    const attempt = held.attempts ?? 1;
    const error = toServiceError(err, attempt);
    const decision = decideRetry(error, attempt, 'provision', this.deps.retry);
    if (decision.kind === 'retry') {
      const nextAttemptAt = this.deps.now() + decision.delayMs;
      const moved = await this.deps.transitions.move(held, 'pending', {
        actor: workerActor,
        action: 'service.retry_scheduled',
        data: { attempt, delayMs: decision.delayMs, nextAttemptAt: new Date(nextAttemptAt).toISOString() },
        error,
        nextAttemptAt,
      });
      return moved ? { next: 'later', delayMs: decision.delayMs } : { next: 'none' };
    }
    const moved = await this.deps.transitions.move(held, 'failed', {
      actor: workerActor,
      action: 'service.failed',
      data: { attempt },
      error,
    });
    if (moved)
      this.deps.logger.warn(
        { serviceId: service.id, subscriptionId: service.subscriptionId, error },
        'service provisioning failed',
      );
    return { next: 'none' };
  }
}
