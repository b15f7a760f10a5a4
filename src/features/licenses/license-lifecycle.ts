import { ConflictError, NotFoundError, UpstreamError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { IssuedKey, KaAdapter } from '../../plugin-sdk/ka-adapter.js';
import { isKaError } from '../../plugin-sdk/ka-error.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { TransitionEventWriter } from '../audit/transition.js';
import type { KaConfigurationService } from '../ka-configurations/ka-configuration-service.js';
import { errorRecord } from '../ka-configurations/ka-error-record.js';
import type { LicenseRequestPort } from '../license-requests/license-request-port.js';
import { type IdempotencyClaim, IdempotencyKeyStore } from './idempotency-key-store.js';
import { LifecycleOutcome } from './lifecycle-outcome.js';
import { type LifecycleAction, allowedFrom, lifecycleActions, pastTense } from './lifecycle-rules.js';
import {
  isHeld,
  isUniqueViolation,
  isWorkerRun,
  type KeyFacts,
  type LicenseOperation,
  LicenseOperationStore,
  type LicenseOperationView,
} from './license-operation-store.js';
import type { LicenseStore } from './license-store.js';
import type { License, LicenseSummary } from './license.js';
import { type HandSettlement, inProgress, OperationResolver } from './operation-resolution.js';

export { type LifecycleAction, lifecycleActions } from './lifecycle-rules.js';

export interface LicenseLifecycleDeps {
  db: Db;
  licenses: LicenseStore;
  requests: LicenseRequestPort;
  configurations: KaConfigurationService;
  audit: AuditStore;
  /** The outbox: a license suspended, resumed, terminated or renewed is told. */
  events: TransitionEventWriter;
  queue: JobQueue;
  operations?: LicenseOperationStore;
  idempotencyKeys?: IdempotencyKeyStore;
  /** How long a claim holds its license before a crash is presumed (longer than any KA timeout). */
  leaseMs: number;
  now?: () => number;
}

/** How an action ended: by its own call to the KA, or by an earlier operation of the same kind that a reading of the key proved done. */
export interface ActResult {
  operationId: number;
  byEarlierOperation: boolean;
}

/**
 * Suspend, resume, terminate and renew a license at its KA, one action per license at a time.
 *
 * Each action is a license operation claimed in the database before the KA is called (the
 * unique open operation per license), so a concurrent action is refused at once (409 naming
 * the action in progress) and never reaches the KA. Then the call, through the
 * configuration's plugin (which must declare the action), and the result: the operation
 * closes and the license changes in one guarded transaction, with its audit event. A known
 * KA failure closes the operation as failed and changes nothing else. An unknown outcome
 * (timeout after sending) keeps the operation open; before anything else is done to the
 * license, the key is read at the KA to settle it (`OperationResolver`). A disabled
 * configuration still acts on the licenses it issued: disabling stops new keys, not the care
 * of existing ones.
 */
export class LicenseLifecycle {
  private readonly operations: LicenseOperationStore;
  private readonly keys: IdempotencyKeyStore;
  private readonly outcome: LifecycleOutcome;
  private readonly resolver: OperationResolver;
  private readonly now: () => number;

  constructor(private readonly deps: LicenseLifecycleDeps) {
    this.now = deps.now ?? Date.now;
    this.operations = deps.operations ?? new LicenseOperationStore(this.now);
    this.keys = deps.idempotencyKeys ?? new IdempotencyKeyStore(this.now);
    this.outcome = new LifecycleOutcome({ ...deps, operations: this.operations, now: this.now });
    this.resolver = new OperationResolver({
      db: deps.db,
      operations: this.operations,
      configurations: deps.configurations,
      outcome: this.outcome,
      leaseMs: deps.leaseMs,
      now: this.now,
    });
  }

  /** The actions this license's status and plugin allow now, for the console's buttons; none while an operation is held. */
  async available(
    license: LicenseSummary,
    open?: Pick<LicenseOperationView, 'held'> | null,
  ): Promise<LifecycleAction[]> {
    if (open?.held) return [];
    const configuration = await this.deps.configurations.get(license.configurationId);
    const supported = this.deps.configurations.capabilities(configuration);
    return lifecycleActions.filter(
      (action) => supported.includes(action) && allowedFrom[action].includes(license.status),
    );
  }

  async act(
    licenseId: number,
    action: LifecycleAction,
    actor: Actor,
    note?: string,
    options: { idempotency?: IdempotencyClaim } = {},
  ): Promise<ActResult> {
    const { db, configurations } = this.deps;
    let license = await this.load(licenseId);
    const open = await this.operations.openFor(db, licenseId);
    if (open) {
      if (isHeld(open, this.now()) || isWorkerRun(open)) throw inProgress(open, license, this.now());
      const { applied } = await this.resolver.resolve(open, license, actor);
      license = await this.load(licenseId);
      // The same action asked again after a timeout: the KA had done it, so it is not done twice.
      if (applied && open.kind === action) {
        if (options.idempotency) await this.attachKey(options.idempotency, open.id, license);
        return { operationId: open.id, byEarlierOperation: true };
      }
    }
    this.checkAllowed(license, action);
    const configuration = await configurations.get(license.configurationId);
    if (action === 'renew' && license.requestId === null) {
      throw new ConflictError(
        `License ${license.keyNumber} has no license request to fetch and install its renewed file through`,
        'invalid_state',
      );
    }
    if (!configurations.capabilities(configuration).includes(action)) {
      throw new ConflictError(
        `The KA plugin ${configuration.pluginName} of ${configuration.name} cannot ${action} a key`,
        'not_supported',
        { details: { plugin: configuration.pluginName, action } },
      );
    }
    const adapter = configurations.adapterFor(configuration);
    try {
      const call = adapter[action] as ((keyNumber: string) => Promise<IssuedKey | undefined>) | undefined;
      if (!call)
        throw new ConflictError(
          `The KA plugin ${configuration.pluginName} declares ${action} but does not implement it`,
          'not_supported',
        );
      let operation = await this.claim(license, action, actor, note, options.idempotency);
      const secrets = configurations.secretsOf(configuration);
      if (action === 'renew' && adapter.getKeyInfo)
        operation = await this.readBefore(operation, license, adapter, actor, secrets);
      await this.send(operation, license, action, () => call.call(adapter, license.keyNumber), actor, secrets);
      return { operationId: operation.id, byEarlierOperation: false };
    } finally {
      await adapter.close?.();
    }
  }

  /** Records what staff found at the KA for the license's open operation (see `OperationResolver.settleByHand`). */
  async settle(licenseId: number, operationId: number, decision: HandSettlement, actor: Actor): Promise<void> {
    const license = await this.load(licenseId);
    const open = await this.operations.openFor(this.deps.db, licenseId);
    if (open && isWorkerRun(open))
      throw new ConflictError(
        `Operation ${operationId} is run by the workers; retry or cancel it (POST /license-operations/${open.id}/retry or /cancel) once it needs a person`,
        'operation_run_by_workers',
      );
    if (open?.id !== operationId)
      throw new ConflictError(
        `Operation ${operationId} is not open on license ${license.keyNumber}${open ? ` (operation ${open.id} is)` : ''}; reload the license`,
        'operation_not_open',
      );
    await this.resolver.settleByHand(open, license, decision, actor);
  }

  /** The call to the KA for a claimed operation, and what its answer (or its silence) means. */
  private async send(
    operation: LicenseOperation,
    license: License,
    action: LifecycleAction,
    call: () => Promise<IssuedKey | undefined>,
    actor: Actor,
    secrets: string[],
  ): Promise<void> {
    let answer: IssuedKey | undefined;
    try {
      answer = (await call()) ?? undefined;
    } catch (err) {
      const error = errorRecord(err, secrets);
      // Anything but a KA error that says otherwise may have reached the KA.
      if (!isKaError(err) || err.outcomeUnknown) {
        await this.outcome.outcomeUnknown(operation, license, error, actor);
        throw new UpstreamError(
          `The KA may or may not have ${pastTense[action]} key ${license.keyNumber}: ${String(error.message)}. Operation ${operation.id} stays open; the next action on this license reads the key at the KA first to find out.`,
          {
            details: { error, operation: { id: operation.id, state: 'outcome_unknown' } },
          },
        );
      }
      await this.outcome.failed(operation, 'in_progress', license, error, actor);
      throw new UpstreamError(`The KA did not ${action} key ${license.keyNumber}: ${String(error.message)}`, {
        details: { error },
      });
    }
    await this.outcome.acted(operation, 'in_progress', license, answer, { kind: 'answered' });
  }

  private async load(licenseId: number): Promise<License> {
    const license = await this.deps.licenses.get(this.deps.db, licenseId);
    if (!license) throw new NotFoundError('license', licenseId);
    return license;
  }

  private checkAllowed(license: { keyNumber: string; status: License['status'] }, action: LifecycleAction): void {
    if (!allowedFrom[action].includes(license.status)) {
      throw new ConflictError(
        `License ${license.keyNumber} is ${license.status}; ${action} needs it ${allowedFrom[action].join(' or ')}`,
        'invalid_state',
        { details: { status: license.status } },
      );
    }
  }

  /**
   * Opens the operation, in a transaction that locks the license row first: the status is
   * checked again under the lock, and an open operation refuses the claim. The unique
   * `open_license_id` refuses it too, should anything get past the lock.
   */
  private async claim(
    license: License,
    action: LifecycleAction,
    actor: Actor,
    note: string | undefined,
    idempotency: IdempotencyClaim | undefined,
  ): Promise<LicenseOperation> {
    const { db, licenses, requests } = this.deps;
    const before: KeyFacts = {
      status: license.status,
      // The key's own expiry (a lease's ends before its term): what a reading of the key is compared with.
      expiresAt: license.keyExpiresAt ?? license.expiresAt,
      updatesUntil: license.updatesUntil,
      fullKeyNumber: license.fullKeyNumber,
    };
    try {
      return await transaction(db, async (tx) => {
        const locked = await licenses.lockForChange(tx, license.id);
        if (!locked) throw new NotFoundError('license', license.id);
        this.checkAllowed({ keyNumber: license.keyNumber, status: locked.status }, action);
        const open = await this.operations.openFor(tx, license.id);
        if (open) throw inProgress(open, license, this.now());
        if (action === 'renew' && locked.requestId !== null) {
          // A renewal reinstalls: one still being installed would be renewed again before its file arrives.
          const request = await requests.get(tx, locked.requestId);
          if (request?.state !== 'installed')
            throw new ConflictError(
              `The last renewal of key ${license.keyNumber} is still being fetched and installed (its request is ${request?.state ?? 'missing'}); renew again once it is installed`,
              'invalid_state',
              { details: { requestState: request?.state ?? null } },
            );
        }
        const operation = await this.operations.insert(tx, {
          licenseId: license.id,
          kind: action,
          parameters: note ? { note } : {},
          before,
          actor,
          leaseUntil: this.now() + this.deps.leaseMs,
        });
        if (idempotency) await this.keys.attach(tx, idempotency, operation.id);
        return operation;
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const open = await this.operations.openFor(db, license.id);
      if (open) throw inProgress(open, license, this.now());
      throw keyInUse();
    }
  }

  /** A renewal is judged by the expiry, so it is read at the KA just before the call (nothing is sent if that fails). */
  private async readBefore(
    operation: LicenseOperation,
    license: License,
    adapter: KaAdapter,
    actor: Actor,
    secrets: string[],
  ): Promise<LicenseOperation> {
    try {
      const info = await (adapter.getKeyInfo as NonNullable<KaAdapter['getKeyInfo']>).call(adapter, license.keyNumber);
      const before: KeyFacts = {
        ...(operation.before as KeyFacts),
        atKa: {
          expiresAt: info.expiresAt ? info.expiresAt.toISOString() : null,
          fullKeyNumber: info.fullKeyNumber ?? null,
          suspended: info.suspended,
          terminated: info.terminated,
        },
      };
      if (!(await this.operations.setBefore(this.deps.db, operation.id, before)))
        throw new ConflictError(
          `Operation ${operation.id} on key ${license.keyNumber} was taken over before the renewal was sent; reload the license`,
          'operation_settled_elsewhere',
        );
      return { ...operation, before };
    } catch (err) {
      if (err instanceof ConflictError) throw err;
      const error = errorRecord(err, secrets);
      await this.outcome.failed(operation, 'in_progress', license, error, actor, {
        step: 'read the key before renewing',
        sent: false,
      });
      throw new UpstreamError(
        `The KA did not renew key ${license.keyNumber}: reading the key before the renewal failed (${String(error.message)}); nothing was sent`,
        { details: { error } },
      );
    }
  }

  /** The key of a request answered by an earlier operation: kept with that operation, so a replay answers the same. */
  private async attachKey(claim: IdempotencyClaim, operationId: number, license: License): Promise<void> {
    try {
      await transaction(this.deps.db, (tx) => this.keys.attach(tx, claim, operationId));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      throw keyInUse(license);
    }
  }
}

/** 409: another request holds the same Idempotency-Key. */
function keyInUse(license?: License): ConflictError {
  return new ConflictError(
    `Another request with this Idempotency-Key is in progress${license ? ` for key ${license.keyNumber}` : ''}; retry it when that one has finished`,
    'idempotency_key_in_progress',
    { details: { header: 'Idempotency-Key' } },
  );
}
