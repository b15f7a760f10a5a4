import type { Db } from '../infra/db/database.js';
import type { LicenseRequest } from '../features/license-requests/license-request.js';
import type { LicenseRequestStore } from '../features/license-requests/license-request-store.js';
import type { LicenseStore } from '../features/licenses/license-store.js';
import type { LicenseSummary } from '../features/licenses/license.js';
import type { PhaseRules } from '../features/licenses/license-phase.js';
import { type WithPhase, withPhase } from '../features/licenses/license-phase-of.js';
import type { SubscriptionStore } from '../features/subscriptions/subscription-store.js';
import type { Subscription, SubscriptionService } from '../features/subscriptions/subscription.js';

export interface SubscriptionDetails extends Subscription {
  services: SubscriptionService[];
  licenseRequests: LicenseRequest[];
  /** Each with the phase its dates give now. */
  licenses: WithPhase<LicenseSummary>[];
}

/** A subscription with everything a client wants to see about it, in one answer. */
export class SubscriptionView {
  constructor(
    private readonly db: Db,
    private readonly subscriptions: SubscriptionStore,
    private readonly licenseRequests: LicenseRequestStore,
    private readonly licenses: LicenseStore,
    /** How phases are computed: the process's clock and `KEYWAY_EXPIRY_WARNING_DAYS`. */
    private readonly phases: { now: () => number; rules: PhaseRules } = { now: Date.now, rules: { warningDays: 14 } },
  ) {}

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
