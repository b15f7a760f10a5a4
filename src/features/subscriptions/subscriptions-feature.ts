import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import type { Logger } from '../../infra/log/logger.js';
import type { AuditWriter } from '../audit/audit-store.js';
import { AutoRenewService } from './auto-renew-service.js';
import { RenewalScheduleStore } from './renewal-schedule-store.js';
import { type RenewAndPay, RenewalScheduler } from './renewal-scheduler.js';
import type { SubscriptionReader } from './subscription-reader.js';
import { subscriptionRoutes } from './subscription-routes.js';
import type { SubscriptionStore } from './subscription-store.js';

/**
 * Subscriptions: the store that owns `subscriptions` and `services` rows, the read routes,
 * auto-renew (`PATCH /subscriptions/:id`) and the scheduler's renewal pass.
 */
export function createSubscriptionsFeature(deps: {
  db: Db;
  store: SubscriptionStore;
  view: SubscriptionReader;
  orderPlacedBy(orderId: number): Promise<number | null | undefined>;
  audit: AuditWriter;
  logger: Logger;
  renewals: {
    /** `KEYWAY_RENEWAL_NOTICE_DAYS`. */
    noticeDays: number;
    /** `KEYWAY_AUTORENEW_PAYMENT`. */
    payment: 'store' | 'assume';
    /** Pays a due renewal (payment `assume`): the renewal orders feature, through the root. */
    renewAndPay: RenewAndPay;
  };
}): {
  store: SubscriptionStore;
  routes: DeclaredRouter;
  autoRenew: AutoRenewService;
  renewalScheduler: RenewalScheduler;
} {
  const schedule = new RenewalScheduleStore();
  const autoRenew = new AutoRenewService({ db: deps.db, store: schedule, audit: deps.audit });
  return {
    store: deps.store,
    autoRenew,
    renewalScheduler: new RenewalScheduler({
      db: deps.db,
      store: schedule,
      audit: deps.audit,
      logger: deps.logger,
      noticeDays: deps.renewals.noticeDays,
      payment: deps.renewals.payment,
      renewAndPay: deps.renewals.renewAndPay,
    }),
    routes: subscriptionRoutes({
      db: deps.db,
      subscriptions: deps.store,
      view: deps.view,
      orderPlacedBy: deps.orderPlacedBy,
      autoRenew,
    }),
  };
}
