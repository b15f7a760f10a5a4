import { ConflictError, NotFoundError, UnauthorizedError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { Logger } from '../../infra/log/logger.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditWriter } from '../audit/audit-store.js';
import { applyTransition } from '../audit/transition.js';
import type { Service } from './service.js';
import type { ServiceCallbackSigner } from './service-callback-signer.js';
import { dependenciesReady, dueAt } from './service-rules.js';
import type { ServiceProvisioner } from './service-provisioner.js';
import { KnexServiceStore, type ServiceStore } from './service-store.js';
import { ServiceTransitions } from './service-transitions.js';
import { type HeldService, ServiceWork } from './service-work.js';
import { ProvisioningEngine } from '../../provisioning/engine/provisioning-engine.js';
import type { RetryPolicy } from '../../provisioning/retry-policy.js';

/** The engine's retry rule with the services' numbers: attempts before `failed` (default 8), backoff, jitter 0.2. */
export type ServiceRetryPolicy = RetryPolicy;

export const DEFAULT_SERVICE_RETRY: ServiceRetryPolicy = {
  maxAttempts: 8,
  initialDelayMs: 5_000,
  maxDelayMs: 10 * 60_000,
  jitter: 0.2,
};

export interface ServiceProvisioningDeps {
  db: Db;
  queue: JobQueue;
  audit: AuditWriter;
  logger: Logger;
  signer: Pick<ServiceCallbackSigner, 'secretFor' | 'verify'>;
  provisioners: ServiceProvisioner[];
  /**
   * Base of the callback URL given to webhooks, e.g. `https://keyway.example.net`; asked at
   * each call, since the port may be known only once the API listens.
   */
  publicBaseUrl: () => string;
  /**
   * Called when every service of a subscription is ready: releases its license requests.
   * At least once, not exactly once (services finishing together may each call it, and the
   * reconciler calls it for a subscription a crash left behind), so the callee must be idempotent.
   */
  onAllServicesReady(subscriptionId: number): Promise<void>;
  retry?: Partial<ServiceRetryPolicy>;
  /**
   * How long a worker holds a service it is provisioning before the reconciler may take it
   * over (a crashed worker). Must exceed the longest provisioner call. Default 5 minutes.
   */
  leaseMs?: number;
  store?: ServiceStore;
  now?: () => number;
}

const callbackActor = (serviceId: number): Actor => ({
  type: 'api',
  id: `service-callback:${serviceId}`,
  name: 'service callback',
});

/**
 * Provisions the services of subscriptions, in dependency order, and tells the license side
 * when all of a subscription's services are ready. The database holds the truth: jobs carry
 * only ids, every transition is a guarded update written with its audit event in one
 * transaction, so a duplicated, replayed or late job changes nothing.
 */
export class ServiceProvisioningService {
  readonly store: ServiceStore;
  private readonly provisioners: Map<string, ServiceProvisioner>;
  private readonly retryPolicy: ServiceRetryPolicy;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly transitions: ServiceTransitions;
  private readonly work: ServiceWork;
  /** The provisioning engine running this feature's `service.provision` jobs. */
  readonly engine: ProvisioningEngine<HeldService>;

  constructor(private readonly deps: ServiceProvisioningDeps) {
    this.store = deps.store ?? new KnexServiceStore();
    this.provisioners = new Map(deps.provisioners.map((p) => [p.name, p]));
    this.retryPolicy = { ...DEFAULT_SERVICE_RETRY, ...deps.retry };
    this.leaseMs = deps.leaseMs ?? 5 * 60_000;
    this.now = deps.now ?? Date.now;
    this.transitions = new ServiceTransitions(deps.db, this.store, deps.audit, this.now);
    this.work = new ServiceWork({
      ...deps,
      store: this.store,
      transitions: this.transitions,
      provisioners: this.provisioners,
      retry: this.retryPolicy,
      callbackUrl: (id) => this.callbackUrl(id),
      advance: (subscriptionId) => this.advance(subscriptionId),
      releaseStranded: () => this.releaseStranded(),
      now: this.now,
    });
    // No grace: a service's due time is its own (a retry's), and a provisioning one's is its hold's end.
    this.engine = new ProvisioningEngine(this.work, {
      leaseMs: this.leaseMs,
      graceMs: 0,
      roundMs: 10_000,
      now: this.now,
    });
  }

  async get(serviceId: number): Promise<Service> {
    const service = await this.store.get(this.deps.db, serviceId);
    if (!service) throw new NotFoundError('service', serviceId);
    return service;
  }

  /** Enqueues every pending service of the subscription whose dependencies are ready. */
  async start(subscriptionId: number): Promise<void> {
    await this.advance(subscriptionId);
  }

  /**
   * The `service.provision` job: one attempt, run by the provisioning engine. Does nothing
   * unless the service is pending, due and its dependencies are ready (or provisioning with a
   * lapsed hold).
   */
  provision(serviceId: number): Promise<void> {
    return this.engine.run(serviceId);
  }

  /**
   * Staff confirm a service by hand: a manual one that is waiting, or a failed one they fixed.
   * Marking a ready service again is a no-op.
   */
  async markReady(serviceId: number, actor: Actor, note?: string): Promise<Service> {
    const service = await this.get(serviceId);
    if (service.state === 'ready') return service;
    if (service.state !== 'waiting' && service.state !== 'failed') {
      throw new ConflictError(
        `Service ${serviceId} is ${service.state}; only a waiting or failed service can be marked ready`,
        'service_not_waiting',
        {
          details: { state: service.state },
        },
      );
    }
    const moved = await this.transitions.move({ id: serviceId, state: service.state }, 'ready', {
      actor,
      action: 'service.marked_ready',
      data: note ? { note } : undefined,
    });
    return this.afterManualReady(serviceId, moved);
  }

  /**
   * The provider's signed confirmation of a webhook service (`X-Keyway-Signature:
   * sha256=<hex HMAC of the raw body>`). Accepted while waiting, while still provisioning (a
   * provider may confirm before its 202 answer reached us), and while a retry is due after a
   * call whose answer never reached us (the provider got it all the same). Already ready: a no-op.
   */
  async confirmCallback(
    serviceId: number,
    rawBody: Buffer,
    signatureHeader: string | undefined,
  ): Promise<{ service: Service; changed: boolean }> {
    // The signature is checked first so an unsigned caller cannot probe which ids exist.
    if (!(await this.deps.signer.verify(serviceId, rawBody, signatureHeader))) {
      throw new UnauthorizedError('The callback signature is missing or wrong (X-Keyway-Signature: sha256=<hex>)');
    }
    const service = await this.get(serviceId);
    if (service.state === 'ready') return { service, changed: false };
    const called =
      service.state === 'waiting' ||
      service.state === 'provisioning' ||
      (service.state === 'pending' && service.attempts > 0);
    if (service.provisioner !== 'webhook' || !called) {
      throw new ConflictError(
        `Service ${serviceId} is ${service.state} and not waiting for a callback`,
        'service_not_waiting',
        {
          details: { state: service.state },
        },
      );
    }
    const moved = await this.transitions.move({ id: serviceId, state: service.state }, 'ready', {
      actor: callbackActor(serviceId),
      action: 'service.confirmed',
      data: { bytes: rawBody.length },
    });
    const current = await this.afterManualReady(serviceId, moved);
    return { service: current, changed: moved };
  }

  /** Operators try a failed service again with a fresh attempt budget. */
  async retry(serviceId: number, actor: Actor): Promise<Service> {
    const { db } = this.deps;
    const service = await this.get(serviceId);
    const reset = await applyTransition(
      db,
      this.deps,
      this.store.reset({ id: serviceId, state: 'failed' }, this.now()),
      {
        actor,
        action: 'service.retried',
        data: { attempts: service.attempts },
      },
    );
    if (!reset) {
      const current = await this.get(serviceId);
      throw new ConflictError(
        `Service ${serviceId} is ${current.state}; only a failed service can be retried`,
        'service_not_failed',
        {
          details: { state: current.state },
        },
      );
    }
    // Read before the job is enqueued: afterwards the answer would race the worker.
    const current = await this.get(serviceId);
    await this.advance(service.subscriptionId);
    return current;
  }

  /**
   * Calls `onAllServicesReady` when every service is ready and the subscription still
   * provisioning. The callee moves the subscription on, so a repeat finds nothing to do.
   */
  async releaseSubscription(subscriptionId: number): Promise<void> {
    await this.releaseIfAllReady(subscriptionId, await this.store.listBySubscription(this.deps.db, subscriptionId));
  }

  private async releaseIfAllReady(subscriptionId: number, services: Service[]): Promise<void> {
    if (!services.every((s) => s.state === 'ready')) return;
    if ((await this.store.subscriptionState(this.deps.db, subscriptionId)) !== 'provisioning') return;
    await this.deps.onAllServicesReady(subscriptionId);
  }

  /**
   * A reconcile round (see `ServiceWork.lost`): re-enqueues pending services with ready
   * dependencies and provisioning ones whose worker's hold ran out, and releases subscriptions
   * whose services are all ready. Safe to run at any time.
   */
  async reconcileServices(): Promise<{ enqueued: number; released: number }> {
    const { enqueued, swept } = await this.engine.reconcile();
    return { enqueued, released: swept };
  }

  private async releaseStranded(): Promise<number> {
    const released = await this.store.listSubscriptionsAllReady(this.deps.db);
    // Released here, not through the queue: the release is idempotent.
    for (const subscriptionId of released) await this.releaseSubscription(subscriptionId);
    return released.length;
  }

  private async afterManualReady(serviceId: number, moved: boolean): Promise<Service> {
    const current = await this.get(serviceId);
    if (moved) await this.advance(current.subscriptionId);
    else if (current.state !== 'ready') {
      throw new ConflictError(
        `Service ${serviceId} changed to ${current.state} meanwhile; try again`,
        'service_state_changed',
        { details: { state: current.state } },
      );
    }
    return current;
  }

  /** After a change: start what became startable, and release the subscription when all is ready. */
  private async advance(subscriptionId: number): Promise<void> {
    await this.enqueueStartable(subscriptionId, this.now());
  }

  private async enqueueStartable(subscriptionId: number, now: number): Promise<void> {
    const services = await this.store.listBySubscription(this.deps.db, subscriptionId);
    if (services.every((s) => s.state === 'ready')) {
      // Released here, not by a job of its own: the release is one guarded update, and the
      // reconciler releases any subscription a crash left behind.
      await this.releaseIfAllReady(subscriptionId, services);
      return;
    }
    for (const s of services) {
      if (s.state !== 'pending' || !dependenciesReady(s, services)) continue;
      await this.work.enqueue(
        s.id,
        { state: s.state, attempts: s.attempts },
        { delayMs: Math.max(0, dueAt(s, now) - now) },
      );
    }
  }

  private callbackUrl(serviceId: number): string {
    return `${this.deps.publicBaseUrl().replace(/\/+$/, '')}/api/v1/services/${serviceId}/ready`;
  }
}
