import { ValidationError } from '../../errors/app-error.js';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import { isUniqueViolation, transaction } from '../../infra/db/transaction.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { type Actor, workerActor } from '../../kernel/actor.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import type { AuditStore } from '../audit/audit-store.js';
import { applyTransition, type TransitionEventWriter } from '../audit/transition.js';
import { enqueueOperation } from '../licenses/license-operation-jobs.js';
import type { LicenseSummary } from '../licenses/license.js';
import { type LicenseMigration, type MigrationTarget, migrationCause } from './license-migration.js';
import { addToPlan, type MigrationPlan, remainingPeriodOf, whyNotMigrated } from './migration-plan.js';
import type {
  MigratedLicenses,
  MigrationAutoRenew,
  MigrationOperations,
  MigrationRequests,
  MigrationTargets,
} from './migration-ports.js';
import type { MigrationStore } from './migration-store.js';

export interface MigrationServiceDeps {
  db: Db;
  store: MigrationStore;
  licenses: MigratedLicenses;
  requests: MigrationRequests;
  operations: MigrationOperations;
  autoRenew: MigrationAutoRenew;
  targets: MigrationTargets;
  audit: AuditStore;
  events: TransitionEventWriter;
  queue: JobQueue;
  /** Hands new license requests to the pipeline (after the commit; the reconciler redoes a lost one). */
  onRequestsReady(ids: number[]): Promise<void>;
  now: () => number;
}

/** How starting one license's migration ended (a bulk item's outcome). */
export type StartOutcome =
  | { state: 'started' | 'already'; migration: LicenseMigration }
  | { state: 'skipped'; code: string; message: string }
  | { state: 'busy'; code: string; message: string };

/** Who started a migration: a bulk job's item (its idempotency key), or nobody in particular. */
export interface MigrationCause {
  bulkJobId: number;
  itemId: number;
}

/** Licenses a dry run reads at once (each a few reads; the pool holds ten connections). */
const planReadsAtOnce = 8;

/**
 * Migration of licenses to another KA configuration (seed 003, DOMAIN.md "Migration"). Each
 * license's migration is a row moved by guarded steps, every one in the transaction of the
 * work it records, so a worker killed anywhere leaves a state the machines resume from:
 *
 * 1. `start`: a new license request of source `migration` (the mapped product, the same
 *    quantity, the period covering the remaining term, the old request's install target)
 *    pointing at its predecessor, and the migration `requested`, in one transaction. The
 *    license pipeline issues the key at the target KA (never twice), fetches and installs it.
 * 2. `requestInstalled`, in the install step's transaction: `requested → terminating`, the old
 *    license names its successor, and a worker-run `terminate` operation of the old key is made.
 *    The old key is never terminated before the new one is installed.
 * 3. `operationApplied`, in the transaction that closes that operation: `terminating → migrated`
 *    and the event `license.migrated`.
 *
 * At renewal (`atRenewal`): the migration waits `scheduled`, auto-renew off and the customer
 * told (`license.migration_announced`); the renewal's payment (`renewedOnNewServer`) makes
 * step 1 for the renewed term instead of renewing the old key; auto-renew is back on once done.
 */
export class MigrationService {
  constructor(private readonly deps: MigrationServiceDeps) {}

  /** The target configuration, or 400 naming `targetConfigurationId`. */
  async target(input: MigrationTarget): Promise<{ id: number; name: string }> {
    const configuration = await this.deps.targets.get(this.deps.db, input.targetConfigurationId);
    if (!configuration)
      throw ValidationError.forFields([
        { field: 'targetConfigurationId', message: `no KA configuration ${input.targetConfigurationId}` },
      ]);
    if (!configuration.enabled)
      throw ValidationError.forFields([
        { field: 'targetConfigurationId', message: `KA configuration ${configuration.name} is disabled` },
      ]);
    return configuration;
  }

  /** A dry run over these licenses: what would happen to each, nothing changed. */
  async plan(licenseIds: readonly number[], input: MigrationTarget): Promise<MigrationPlan> {
    await this.target(input);
    const plan: MigrationPlan = {
      targetConfigurationId: input.targetConfigurationId,
      atRenewal: Boolean(input.atRenewal),
      count: 0,
      toMigrate: 0,
      mapped: [],
      unmapped: [],
      skipped: {},
      licenses: [],
    };
    const now = this.deps.now();
    const read = async (id: number) => {
      const license = await this.deps.licenses.get(this.deps.db, id);
      if (!license) return undefined;
      const [quantity, open] = await Promise.all([this.quantityOf(license), this.deps.store.openOf(this.deps.db, id)]);
      return { license, quantity, open };
    };
    // Read a few licenses at once (the pool's connections), added to the plan in their order.
    for (let at = 0; at < licenseIds.length; at += planReadsAtOnce) {
      const found = await Promise.all(licenseIds.slice(at, at + planReadsAtOnce).map(read));
      for (const entry of found) {
        if (!entry) continue;
        const { license, quantity, open } = entry;
        const why = open
          ? { code: 'migration_in_progress', message: `migration ${open.id} is ${open.state}` }
          : whyNotMigrated(license, input);
        addToPlan(plan, {
          licenseId: license.id,
          keyNumber: license.keyNumber,
          product: license.product,
          targetProduct: input.productMap[license.product] ?? null,
          quantity,
          periodMonths: remainingPeriodOf(license.expiresAt, now, license.periodMonths),
          expiresAt: license.expiresAt,
          ...(why ? { action: 'skip', ...why } : { action: 'migrate' }),
        });
      }
    }
    return plan;
  }

  /**
   * Starts one license's migration (a bulk item). Idempotent per cause: the same item again
   * answers the migration it started. A license already in a migration, or one that cannot be
   * migrated as it is, is skipped with why.
   */
  async start(licenseId: number, input: MigrationTarget, cause: MigrationCause, actor: Actor): Promise<StartOutcome> {
    const { db, store } = this.deps;
    const earlier = await store.byBulkItem(db, cause.bulkJobId, cause.itemId);
    if (earlier) return { state: 'already', migration: earlier };
    const license = await this.deps.licenses.get(db, licenseId);
    if (!license) return { state: 'skipped', code: 'not_found', message: `no license ${licenseId}` };
    const open = await store.openOf(db, licenseId);
    if (open)
      return { state: 'skipped', code: 'migration_in_progress', message: `migration ${open.id} is ${open.state}` };
    const why = whyNotMigrated(license, input);
    if (why) return { state: 'skipped', ...why };
    const targetProduct = input.productMap[license.product] as string;
    const quantity = await this.quantityOf(license);
    const now = this.deps.now();
    try {
      const { migrationId, requestId } = await transaction(db, async (tx) => {
        if (input.atRenewal) return await this.schedule(tx, license, input, targetProduct, quantity, cause, actor);
        return await this.request(tx, license, input.targetConfigurationId, targetProduct, quantity, {
          periodMonths: remainingPeriodOf(license.expiresAt, now, license.periodMonths),
          cause,
          actor,
        });
      });
      if (requestId !== null) await this.readyLater([requestId]);
      return { state: 'started', migration: (await store.get(db, migrationId)) as LicenseMigration };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return { state: 'busy', code: 'migration_in_progress', message: 'another migration of this license started' };
    }
  }

  /** Inserts the new request and the migration `requested` (or moves a scheduled one there). */
  private async request(
    tx: DbOrTx,
    license: LicenseSummary,
    targetConfigurationId: number,
    targetProduct: string,
    quantity: number,
    options: { periodMonths: number | null; cause?: MigrationCause; actor: Actor; scheduled?: LicenseMigration },
  ): Promise<{ migrationId: number; requestId: number }> {
    const old = license.requestId === null ? undefined : await this.deps.requests.get(tx, license.requestId);
    const { id: requestId } = await this.deps.requests.insert(tx, {
      subscriptionId: license.subscriptionId,
      customerId: license.customerId,
      configurationId: targetConfigurationId,
      serviceId: old?.serviceId ?? null,
      source: 'migration',
      product: targetProduct,
      features: license.features,
      quantity,
      periodMonths: options.periodMonths,
      state: 'ready',
      predecessorLicenseId: license.id,
    });
    const about = {
      licenseId: license.id,
      keyNumber: license.keyNumber,
      targetConfigurationId,
      targetProduct,
      quantity,
      periodMonths: options.periodMonths,
      requestId,
    };
    const created: AuditEventInput = {
      actor: options.actor,
      action: 'license_request.created',
      entityType: 'license_request',
      entityId: requestId,
      toState: 'ready',
      data: { source: 'migration', predecessorLicenseId: license.id, product: targetProduct, quantity },
    };
    if (options.scheduled) {
      const moved = await applyTransition(
        tx,
        this.deps,
        this.deps.store.move(options.scheduled, 'scheduled', 'requested', {
          requestId,
          periodMonths: options.periodMonths,
        }),
        { actor: options.actor, action: 'license_migration.requested', data: about, also: [created] },
      );
      if (!moved) throw new Error(`migration ${options.scheduled.id} moved meanwhile`);
      return { migrationId: moved.id, requestId };
    }
    const migrationId = await this.deps.store.insert(tx, {
      licenseId: license.id,
      targetConfigurationId,
      targetProduct,
      quantity,
      periodMonths: options.periodMonths,
      state: 'requested',
      atRenewal: false,
      requestId,
      bulkJobId: options.cause?.bulkJobId ?? null,
      bulkItemId: options.cause?.itemId ?? null,
      actor: options.actor,
    });
    await this.deps.audit.recordMany(tx, [
      {
        actor: options.actor,
        action: 'license.migration_started',
        entityType: 'license',
        entityId: license.id,
        data: { ...about, migrationId, ...(options.cause ? { bulkJobId: options.cause.bulkJobId } : {}) },
      },
      {
        actor: options.actor,
        action: 'license_migration.requested',
        entityType: 'license_migration',
        entityId: migrationId,
        toState: 'requested',
        data: about,
      },
      created,
    ]);
    return { migrationId, requestId };
  }

  /** A migration at renewal: `scheduled`, auto-renew off, the customer told. */
  private async schedule(
    tx: DbOrTx,
    license: LicenseSummary,
    input: MigrationTarget,
    targetProduct: string,
    quantity: number,
    cause: MigrationCause,
    actor: Actor,
  ): Promise<{ migrationId: number; requestId: null }> {
    const migrationId = await this.deps.store.insert(tx, {
      licenseId: license.id,
      targetConfigurationId: input.targetConfigurationId,
      targetProduct,
      quantity,
      periodMonths: null,
      state: 'scheduled',
      atRenewal: true,
      requestId: null,
      bulkJobId: cause.bulkJobId,
      bulkItemId: cause.itemId,
      actor,
    });
    const data = {
      migrationId,
      keyNumber: license.keyNumber,
      targetConfigurationId: input.targetConfigurationId,
      targetProduct,
      quantity,
    };
    await this.deps.audit.recordMany(tx, [
      { actor, action: 'license.migration_scheduled', entityType: 'license', entityId: license.id, data },
      {
        actor,
        action: 'license_migration.scheduled',
        entityType: 'license_migration',
        entityId: migrationId,
        toState: 'scheduled',
        data: { licenseId: license.id, ...data },
      },
    ]);
    await this.deps.autoRenew.set(tx, license.subscriptionId as number, false, actor);
    await this.deps.events.write(tx, {
      type: 'license.migration_announced',
      payload: { migrationId, targetProduct, quantity, expiresAt: license.expiresAt },
      entityType: 'license',
      entityId: license.id,
    });
    return { migrationId, requestId: null };
  }

  /**
   * The renewal port: in the payment's transaction, the licenses among `licenseIds` whose
   * migration waits for this renewal get their new request for the renewed term (ending
   * `termEndsAt`) instead of a renewal of the old key. Answers those licenses (not to renew)
   * and what to run after the commit.
   */
  async renewedOnNewServer(
    tx: DbOrTx,
    licenseIds: number[],
    renewal: { periodMonths: number; termEndsAt: number },
    actor: Actor,
  ): Promise<{ migrating: Set<number>; audit: AuditEventInput[]; after(): Promise<void> }> {
    const scheduled = await this.deps.store.scheduledOf(tx, licenseIds);
    const requestIds: number[] = [];
    const now = this.deps.now();
    for (const migration of scheduled) {
      const license = await this.deps.licenses.get(tx, migration.licenseId);
      if (!license) continue;
      // The renewed term: what remains now plus the period paid.
      const periodMonths = remainingPeriodOf(new Date(renewal.termEndsAt).toISOString(), now, renewal.periodMonths);
      const { requestId } = await this.request(
        tx,
        license,
        migration.targetConfigurationId,
        migration.targetProduct,
        migration.quantity,
        { periodMonths, actor, scheduled: migration },
      );
      requestIds.push(requestId);
    }
    return {
      migrating: new Set(scheduled.map((m) => m.licenseId)),
      audit: [],
      after: () => this.readyLater(requestIds),
    };
  }

  /**
   * The install step's hook, in its transaction: a migration's new license is installed, so
   * the old key may go. `requested → terminating`, the old license names its successor, and
   * the worker-run terminate operation of the old key is made. Answers what to run after the
   * commit (enqueue it; the operations' reconciler redoes a lost enqueue).
   */
  async requestInstalled(
    tx: DbOrTx,
    requestId: number,
    newLicenseId: number,
  ): Promise<(() => Promise<void>) | undefined> {
    const migration = await this.deps.store.byRequest(tx, requestId);
    if (migration?.state !== 'requested') return undefined;
    let operationId: number | undefined;
    const now = this.deps.now();
    const moved = await applyTransition(
      tx,
      this.deps,
      this.deps.store.move(migration, 'requested', 'terminating', { newLicenseId }),
      async (inner) => {
        operationId = await this.deps.operations.insert(inner, {
          licenseId: migration.licenseId,
          kind: 'terminate',
          parameters: { migrationId: migration.id, successorLicenseId: newLicenseId },
          actor: migration.actor,
          cause: { type: migrationCause, id: migration.id },
          now,
        });
        await this.deps.store.setTerminateOperation(inner, migration.id, operationId);
        await this.deps.licenses.linkSuccessor(inner, migration.licenseId, newLicenseId);
        return {
          actor: workerActor,
          action: 'license_migration.terminating',
          data: { licenseId: migration.licenseId, newLicenseId, operationId },
          also: [
            {
              actor: workerActor,
              action: 'license.successor_installed',
              entityType: 'license',
              entityId: migration.licenseId,
              data: { migrationId: migration.id, successorLicenseId: newLicenseId, terminateOperationId: operationId },
            },
            {
              actor: migration.actor,
              action: 'license_operation.created',
              entityType: 'license_operation',
              entityId: operationId,
              toState: 'pending',
              data: { licenseId: migration.licenseId, kind: 'terminate', migrationId: migration.id },
            },
          ],
        };
      },
    );
    if (!moved || operationId === undefined) return undefined;
    const id = operationId;
    return () => enqueueOperation(this.deps.queue, id, 'pending', 0);
  }

  /**
   * The terminate operation's hook, in the transaction that closes it: the old key is
   * terminated (or was already), so the migration is done.
   */
  async operationApplied(
    tx: DbOrTx,
    operation: { id: number; cause?: { type: string; id: number } | null },
  ): Promise<void> {
    if (operation.cause?.type !== migrationCause) return;
    const migration = await this.deps.store.get(tx, operation.cause.id);
    if (migration?.state !== 'terminating') return;
    const moved = await applyTransition(tx, this.deps, this.deps.store.move(migration, 'terminating', 'migrated'), {
      actor: workerActor,
      action: 'license_migration.migrated',
      data: { licenseId: migration.licenseId, newLicenseId: migration.newLicenseId },
    });
    if (!moved || migration.newLicenseId === null) return;
    await this.deps.events.write(tx, {
      type: 'license.migrated',
      payload: {
        predecessorLicenseId: migration.licenseId,
        migrationId: migration.id,
        targetConfigurationId: migration.targetConfigurationId,
      },
      entityType: 'license',
      entityId: migration.newLicenseId,
    });
    if (migration.atRenewal) await this.autoRenewBack(tx, migration);
  }

  /** Auto-renew back on once no migration at renewal of the subscription is left unfinished. */
  private async autoRenewBack(tx: DbOrTx, migration: LicenseMigration): Promise<void> {
    const license = await this.deps.licenses.get(tx, migration.licenseId);
    if (!license?.subscriptionId) return;
    const siblings = (await this.deps.licenses.listBySubscription(tx, license.subscriptionId)).map((l) => l.id);
    if ((await this.deps.store.openAtRenewal(tx, siblings)) > 0) return;
    await this.deps.autoRenew.set(tx, license.subscriptionId, true, workerActor);
  }

  /**
   * The sweep's pass: a migration whose new request was cancelled by staff fails (the old key
   * stays, the license free for another migration); one whose request is installed but not
   * moved on (a request installed by hand outside the step) is moved on now.
   */
  async sweep(limit = 200): Promise<{ failed: number; moved: number }> {
    const { db } = this.deps;
    let failed = 0;
    let moved = 0;
    for (const migration of await this.deps.store.requested(db, limit)) {
      const request = migration.requestId === null ? undefined : await this.deps.requests.get(db, migration.requestId);
      if (!request) continue;
      if (request.state === 'cancelled') {
        const done = await applyTransition(
          db,
          this.deps,
          this.deps.store.move(migration, 'requested', 'failed', {
            reason: `the new license request ${request.id} was cancelled`,
          }),
          {
            actor: workerActor,
            action: 'license_migration.failed',
            data: { licenseId: migration.licenseId, requestId: request.id, reason: 'request cancelled' },
          },
        );
        if (done) failed += 1;
      } else if (request.state === 'installed') {
        const licenseId = (await this.deps.licenses.summaryByRequest(db, request.id))?.id;
        if (licenseId === undefined) continue;
        const after = await transaction(db, (tx) => this.requestInstalled(tx, request.id, licenseId));
        if (after) {
          moved += 1;
          await after().catch(() => undefined);
        }
      }
    }
    return { failed, moved };
  }

  /** The migrations of a license, as the old one or the new one, newest first. */
  ofLicense(licenseId: number): Promise<LicenseMigration[]> {
    return this.deps.store.ofLicense(this.deps.db, licenseId);
  }

  private async quantityOf(license: LicenseSummary): Promise<number> {
    if (license.requestId === null) return 1;
    return (await this.deps.requests.get(this.deps.db, license.requestId))?.quantity ?? 1;
  }

  private async readyLater(ids: number[]): Promise<void> {
    if (!ids.length) return;
    try {
      await this.deps.onRequestsReady(ids);
    } catch {
      // The pipeline's reconciler finds ready requests without a job.
    }
  }
}
