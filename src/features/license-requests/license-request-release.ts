import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import { type Actor, workerActor } from '../../kernel/actor.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import type { AuditStore } from '../audit/audit-store.js';
import { applyTransition, type TransitionEventWriter } from '../audit/transition.js';
import { outboxEventWriter } from '../events/record-event.js';
import type { SubscriptionActivation } from '../subscriptions/subscription-port.js';
import type { LicenseRequestStore } from './license-request-store.js';

/**
 * The audit trail of a release: each license request `pending → ready`, and the subscription
 * `provisioning → active` when it moved. Also written by a payment whose services are all
 * ready at creation, so both paths leave the same history.
 */
export function releaseEvents(
  actor: Actor,
  subscriptionId: number,
  requestIds: number[],
  subscriptionActivated: boolean,
): AuditEventInput[] {
  const events: AuditEventInput[] = requestIds.map((id) => ({
    actor,
    action: 'license_request.ready',
    entityType: 'license_request',
    entityId: id,
    fromState: 'pending',
    toState: 'ready',
    data: { subscriptionId },
  }));
  if (subscriptionActivated)
    events.push({
      actor,
      action: 'subscription.services_ready',
      entityType: 'subscription',
      entityId: subscriptionId,
      fromState: 'provisioning',
      toState: 'active',
    });
  return events;
}

/**
 * Licenses come last: once every service of a subscription is ready, its pending license
 * requests become ready and the pipeline is told. Idempotent: a second call finds nothing
 * pending and moves nothing.
 */
export class LicenseRequestRelease {
  constructor(
    private readonly db: Db,
    private readonly requests: LicenseRequestStore,
    private readonly subscriptions: SubscriptionActivation,
    private readonly audit: AuditStore,
    private readonly onReady: (requestIds: number[]) => Promise<void>,
    private readonly now: () => number = Date.now,
    private readonly events: TransitionEventWriter = outboxEventWriter,
  ) {}

  async releaseSubscription(subscriptionId: number): Promise<number[]> {
    // Run inline by whichever job readied the last service, so it retries its own deadlocks.
    const moved = await transaction(this.db, async (tx) => {
      const writers = { audit: this.audit, events: this.events };
      const ids: number[] = [];
      for (const id of await this.requests.pendingOf(tx, subscriptionId)) {
        const moved = await applyTransition(
          tx,
          writers,
          this.requests.transition(id, 'pending', 'ready', { nextAttemptAt: this.now(), attempts: 0 }),
          { actor: workerActor, action: 'license_request.ready', data: { subscriptionId } },
        );
        if (moved) ids.push(id);
      }
      await applyTransition(tx, writers, this.subscriptions.markActive(subscriptionId), {
        actor: workerActor,
        action: 'subscription.services_ready',
        event: { type: 'subscription.activated', payload: {} },
      });
      return ids;
    });
    if (moved.length) await this.onReady(moved);
    return moved;
  }
}
