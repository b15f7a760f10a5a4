import type { AuditStore } from '../features/audit/audit-store.js';
import type { CustomerStore } from '../features/customers/customer-store.js';
import type { LicenseRequestStore } from '../features/license-requests/license-request-store.js';
import type { LicenseStore } from '../features/licenses/license-store.js';
import type { OrderStore } from '../features/orders/order-store.js';
import type { SubscriptionStore } from '../features/subscriptions/subscription-store.js';
import type { Db } from '../infra/db/database.js';
import type { SubscriptionView } from '../read-models/subscription-view.js';

/** What the console's read-only pages read (lists and details), passed in by the composition root. */
export interface ConsoleReads {
  db: Db;
  stores: {
    audit: AuditStore;
    customers: CustomerStore;
    orders: OrderStore;
    subscriptions: SubscriptionStore;
    licenseRequests: LicenseRequestStore;
    licenses: LicenseStore;
  };
  subscriptionView: SubscriptionView;
}
