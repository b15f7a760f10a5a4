import type { z } from 'zod';
import type { Db } from '../infra/db/database.js';
import type { LicenseRequestStore } from '../features/license-requests/license-request-store.js';
import type { LicenseStore } from '../features/licenses/license-store.js';
import type { PhaseRules } from '../features/licenses/license-phase.js';
import { withPhase } from '../features/licenses/license-phase-of.js';
import type { WrittenSubscription } from '../features/orders/order-service.js';
import type { SubscriptionStore } from '../features/subscriptions/subscription-store.js';
import { subscriptionDetailsSchema } from './subscription-view-schema.js';

export type SubscriptionDetails = z.output<typeof subscriptionDetailsSchema>;

/** A subscription with everything a client wants to see about it, in one answer. */
export class SubscriptionView {
  readonly schema = subscriptionDetailsSchema;

  constructor(
    private readonly db: Db,
    private readonly subscriptions: SubscriptionStore,
    private readonly licenseRequests: LicenseRequestStore,
    private readonly licenses: LicenseStore,
    /** How phases are computed: the process's clock and `KEYWAY_EXPIRY_WARNING_DAYS`. */
    private readonly phases: { now: () => number; rules: PhaseRules } = { now: Date.now, rules: { warningDays: 14 } },
  ) {}

  /**
   * The details of a subscription a payment just created, from what it wrote (no licenses
   * yet): what `get` would have read at its commit, without reading it back.
   */
  ofPayment(written: WrittenSubscription): SubscriptionDetails {
    return {
      ...written.subscription,
      services: written.services,
      licenseRequests: written.licenseRequests,
      licenses: [],
    };
  }

  async get(id: number): Promise<SubscriptionDetails | undefined> {
    const subscription = await this.subscriptions.get(this.db, id);
    if (!subscription) return undefined;
    const [services, licenseRequests, licenses] = await Promise.all([
      this.subscriptions.services(this.db, id),
      this.licenseRequests.listBySubscription(this.db, id),
      this.licenses.listBySubscription(this.db, id),
    ]);
    const now = this.phases.now();
    return {
      ...subscription,
      services,
      licenseRequests,
      licenses: licenses.map((l) => withPhase(l, now, this.phases.rules)),
    };
  }
}
