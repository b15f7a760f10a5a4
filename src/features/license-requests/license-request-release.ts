import type { Db } from '../../infra/db/database.js';
import { type AuditEventInput, workerActor } from '../audit/audit-event.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { SubscriptionStore } from '../subscriptions/subscription-store.js';
import type { LicenseRequestStore } from './license-request-store.js';

/**
 * Licenses come last: once every service of a subscription is ready, its pending license
 * requests become ready and the pipeline is told. Idempotent: a second call finds nothing
 * pending and moves nothing.
 */
export class LicenseRequestRelease {
  constructor(
    private readonly db: Db,
    private readonly requests: LicenseRequestStore,
    private readonly subscriptions: SubscriptionStore,
    private readonly audit: AuditStore,
    private readonly onReady: (requestIds: number[]) => Promise<void>,
  ) {}

  async releaseSubscription(subscriptionId: number): Promise<number[]> {
    const moved = await this.db.transaction(async (tx) => {
      const ids = await this.requests.releaseForSubscription(tx, subscriptionId);
      const events: AuditEventInput[] = ids.map((id) => ({ actor: workerActor, action: 'license_request.ready', entityType: 'license_request', entityId: id, fromState: 'pending', toState: 'ready', data: { subscriptionId } }));
      if (await this.subscriptions.markActive(tx, subscriptionId)) {
        events.push({ actor: workerActor, action: 'subscription.services_ready', entityType: 'subscription', entityId: subscriptionId, fromState: 'provisioning', toState: 'active' });
      }
      await this.audit.recordMany(tx, events);
      return ids;
    });
    if (moved.length) await this.onReady(moved);
    return moved;
  }
}
