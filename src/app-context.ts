import type { Config } from './config/config.js';
import { AuditStore } from './features/audit/audit-store.js';
import type { TransitionEventWriter } from './features/audit/transition.js';
import { outboxEventWriter } from './features/events/record-event.js';
import { TokenStore } from './features/auth/token-store.js';
import { CustomerStore } from './features/customers/customer-store.js';
import { LicenseRequestRelease } from './features/license-requests/license-request-release.js';
import { LicenseRequestStore } from './features/license-requests/license-request-store.js';
import { LicenseStore } from './features/licenses/license-store.js';
import { OrderService, type OrderServiceDeps } from './features/orders/order-service.js';
import { KnexOrderStore, type OrderStore } from './features/orders/order-store.js';
import { PlanStore } from './features/plans/plan-store.js';
import { SubscriptionStore } from './features/subscriptions/subscription-store.js';
import { SubscriptionView } from './features/subscriptions/subscription-view.js';
import { openSecretBox } from './bootstrap/secret-key.js';
import { createDatabase, type Db } from './infra/db/database.js';
import type { SecretBox } from './infra/db/secret-box.js';
import type { Logger } from './infra/log/logger.js';
import { createJobQueue } from './infra/queue/create-job-queue.js';
import type { JobQueue } from './infra/queue/job-queue.js';

export interface Stores {
  audit: AuditStore;
  tokens: TokenStore;
  customers: CustomerStore;
  plans: PlanStore;
  orders: OrderStore;
  subscriptions: SubscriptionStore;
  licenseRequests: LicenseRequestStore;
  licenses: LicenseStore;
}

/** Everything a process of Keyway shares: built once in main.ts (or a test), passed down. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Db;
  queue: JobQueue;
  stores: Stores;
  /** Seals and opens the secrets stored in the database (KA passwords, installation secrets). */
  secrets: SecretBox;
  /** Receivers of "these license requests are ready"; the pipeline subscribes at start. */
  licenseRequestsReady: Array<(ids: number[]) => Promise<void>>;
  /** Tells every receiver in `licenseRequestsReady`. */
  notifyLicenseRequestsReady(ids: number[]): Promise<void>;
  release: LicenseRequestRelease;
  /** The outbox: transitions with an event write it here, in their transaction. */
  events: TransitionEventWriter;
  subscriptionView: SubscriptionView;
  close(): Promise<void>;
}

export function createStores(): Stores {
  return {
    audit: new AuditStore(),
    tokens: new TokenStore(),
    customers: new CustomerStore(),
    plans: new PlanStore(),
    orders: new KnexOrderStore(),
    subscriptions: new SubscriptionStore(),
    licenseRequests: new LicenseRequestStore(),
    licenses: new LicenseStore(),
  };
}

export function createAppContext(
  config: Config,
  logger: Logger,
  overrides: { db?: Db; queue?: JobQueue } = {},
): AppContext {
  const db = overrides.db ?? createDatabase(config.databaseUrl);
  const secrets = openSecretBox(config, { create: true }) as SecretBox;
  const queue =
    overrides.queue ??
    createJobQueue({
      redisUrl: config.redisUrl,
      prefix: config.queuePrefix,
      logger: logger.child({ component: 'queue' }),
    });
  const stores = createStores();
  const licenseRequestsReady: AppContext['licenseRequestsReady'] = [];
  const notifyLicenseRequestsReady = async (ids: number[]) => {
    for (const receiver of licenseRequestsReady) await receiver(ids);
  };
  const release = new LicenseRequestRelease(
    db,
    stores.licenseRequests,
    stores.subscriptions,
    stores.audit,
    notifyLicenseRequestsReady,
    Date.now,
    outboxEventWriter,
  );
  return {
    config,
    logger,
    db,
    queue,
    stores,
    secrets,
    licenseRequestsReady,
    notifyLicenseRequestsReady,
    release,
    events: outboxEventWriter,
    subscriptionView: new SubscriptionView(db, stores.subscriptions, stores.licenseRequests, stores.licenses),
    async close() {
      await queue.close({ timeoutMs: config.shutdownTimeoutMs });
      await db.destroy();
    },
  };
}

export function createOrderService(
  context: AppContext,
  onSubscriptionCreated: OrderServiceDeps['onSubscriptionCreated'],
): OrderService {
  const { db, stores } = context;
  return new OrderService({
    db,
    orders: stores.orders,
    plans: stores.plans,
    customers: stores.customers,
    subscriptions: stores.subscriptions,
    licenseRequests: stores.licenseRequests,
    audit: stores.audit,
    events: context.events,
    onSubscriptionCreated,
  });
}
