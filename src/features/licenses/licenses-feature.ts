import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { LicenseRequestPort } from '../license-requests/license-request-port.js';
import type { LicenseStore } from './license-store.js';
import type { SubscriptionLookup } from '../subscriptions/subscription-port.js';
import type { Db } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { KaConfigurationService } from '../ka-configurations/ka-configuration-service.js';
import type { TransitionEventWriter } from '../audit/transition.js';
import type { KaConfigurationReader } from '../ka-configurations/ka-configuration-reader.js';
import { activationRoutes } from './activation-routes.js';
import { ActivationStore } from './activation-store.js';
import { Activations } from './activations.js';
import { additionalKeyRoutes } from './additional-key-routes.js';
import { reachLicense } from './license-reach.js';
import type { Principal } from '../../kernel/principal.js';
import { AdditionalKeys } from './additional-keys.js';
import { IdempotencyKeyStore } from './idempotency-key-store.js';
import { IdempotentReplies } from './idempotent-replies.js';
import { LicenseActionOnce } from './license-action-once.js';
import { LicenseLifecycle } from './license-lifecycle.js';
import { LicenseOperationStore } from './license-operation-store.js';
import { LicenseQueryService } from './license-query-service.js';
import { LicenseQueryStore } from './license-query-store.js';
import { licenseRoutes } from './license-routes.js';
import type { PhaseRules } from './license-phase.js';
import { LicensePhaseKeeper } from './license-phase-keeper.js';
import { LicensePhaseStore } from './license-phase-store.js';
import { workedOperationRoutes } from './worked-operation-routes.js';
import type { CustomerReader } from '../customers/customer-reader.js';
import { LicenseTransferService } from './license-transfer-service.js';
import { licenseTransferRoutes } from './license-transfer-routes.js';
import { WorkedOperationService } from './worked-operation-service.js';
import { WorkedOperationStore } from './worked-operation-store.js';

/**
 * Wires the license lists and lifecycle actions; the console takes `service` and `lifecycle`,
 * the API `routes`, bulk jobs `actionOnce` (lifecycle actions under their own idempotency keys).
 */
export function createLicensesFeature(deps: {
  db: Db;
  stores: {
    audit: AuditStore;
    licenses: LicenseStore;
    /** Lower features' rows, through the ports they declare (the root hands their stores over). */
    licenseRequests: LicenseRequestPort;
    subscriptions: SubscriptionLookup;
    customers: CustomerReader;
  };
  configurations: KaConfigurationReader;
  configurationService: KaConfigurationService;
  queue: JobQueue;
  leaseMs: number;
  /** The outbox (`AppContext.events`). */
  events: TransitionEventWriter;
  /** The process's clock (`AppContext.clock`): phases are computed at it. */
  clock?: () => number;
  /** `KEYWAY_EXPIRY_WARNING_DAYS`. */
  phaseRules?: PhaseRules;
  /** The process's clock (`AppContext.clock`): worker-run operations are due, leased and retried by it. */
  now?: () => number;
  /** A license's migrations, shown on it (the migrations feature answers; wired by the root). */
  migrationsOf?(licenseId: number): Promise<Array<Record<string, unknown>>>;
}): {
  service: LicenseQueryService;
  lifecycle: LicenseLifecycle;
  /** Additional keys under primary ones (create, change, delete at the KA). */
  additionalKeys: AdditionalKeys;
  /** Activations (farms) of licenses at their KAs. */
  activations: Activations;
  /** Staff's retry and cancel of worker-run operations (a renewal's). */
  workedOperations: WorkedOperationService;
  /** The worker-run side of `license_operations`, for the engine that runs them. */
  workedOperationStore: WorkedOperationStore;
  routes: DeclaredRouter;
  /** The scheduler's license phase pass. */
  phaseKeeper: LicensePhaseKeeper;
  workedOperationRoutes: DeclaredRouter;
  /** Lifecycle actions under their own idempotency keys, for bulk jobs. */
  actionOnce: LicenseActionOnce;
  /** Whether an action on the license's key is open (in progress, outcome unknown, or worker-run): a sync leaves it alone. */
  hasOpenOperation(licenseId: number): Promise<boolean>;
  additionalKeyRoutes: DeclaredRouter;
  activationRoutes: DeclaredRouter;
  /** Staff's transfer of a license to another customer or subscription. */
  transfer: LicenseTransferService;
  transferRoutes: DeclaredRouter;
} {
  const { stores } = deps;
  const operations = new LicenseOperationStore();
  const service = new LicenseQueryService({
    db: deps.db,
    queries: new LicenseQueryStore(),
    licenses: stores.licenses,
    requests: stores.licenseRequests,
    subscriptions: stores.subscriptions,
    configurations: deps.configurations,
    audit: stores.audit,
    operations,
    now: deps.clock,
    phaseRules: deps.phaseRules,
    migrationsOf: deps.migrationsOf,
  });
  const idempotencyKeys = new IdempotencyKeyStore();
  const lifecycle = new LicenseLifecycle({
    db: deps.db,
    licenses: stores.licenses,
    requests: stores.licenseRequests,
    configurations: deps.configurationService,
    audit: stores.audit,
    queue: deps.queue,
    events: deps.events,
    operations,
    idempotencyKeys,
    leaseMs: deps.leaseMs,
  });
  const actionOnce = new LicenseActionOnce(
    lifecycle,
    new IdempotentReplies({
      db: deps.db,
      keys: idempotencyKeys,
      operations,
      currentReply: async (licenseId) => ({ status: 200, body: { licenseId } }),
    }),
  );
  const additionalKeys = new AdditionalKeys({
    db: deps.db,
    licenses: stores.licenses,
    configurations: deps.configurationService,
    audit: stores.audit,
    events: deps.events,
    operations,
    leaseMs: deps.leaseMs,
  });
  // A customer token reaches its own licenses only (404 for another's).
  const reach = (principal: Principal, id: number) => reachLicense(stores.licenses, deps.db, principal, id);
  const activations = new Activations({
    db: deps.db,
    licenses: stores.licenses,
    configurations: deps.configurationService,
    audit: stores.audit,
    store: new ActivationStore(),
  });
  const workedOperationStore = new WorkedOperationStore(deps.now ?? deps.clock);
  const workedOperations = new WorkedOperationService({
    db: deps.db,
    operations: workedOperationStore,
    audit: stores.audit,
    events: deps.events,
    queue: deps.queue,
    now: deps.now,
  });
  const transfer = new LicenseTransferService({
    db: deps.db,
    licenses: stores.licenses,
    requests: stores.licenseRequests,
    customers: stores.customers,
    subscriptions: stores.subscriptions,
    audit: stores.audit,
  });
  return {
    service,
    lifecycle,
    transfer,
    transferRoutes: licenseTransferRoutes({ transfer }),
    phaseKeeper: new LicensePhaseKeeper({
      db: deps.db,
      store: new LicensePhaseStore(),
      audit: stores.audit,
      rules: deps.phaseRules ?? { warningDays: 14 },
    }),
    workedOperations,
    workedOperationStore,
    workedOperationRoutes: workedOperationRoutes({ service: workedOperations }),
    actionOnce,
    hasOpenOperation: async (licenseId) => (await operations.openFor(deps.db, licenseId)) !== undefined,
    additionalKeys,
    routes: licenseRoutes({ db: deps.db, service, lifecycle, operations, idempotencyKeys, licenses: stores.licenses }),
    additionalKeyRoutes: additionalKeyRoutes({ additionalKeys, reach }),
    activations,
    activationRoutes: activationRoutes({ activations, reach }),
  };
}
