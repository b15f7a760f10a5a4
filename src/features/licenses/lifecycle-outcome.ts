import { ConflictError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { IssuedKey } from '../../plugin-sdk/ka-adapter.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import type { AuditStore } from '../audit/audit-store.js';
import { applyTransition, type TransitionEventWriter } from '../audit/transition.js';
import type { EventType } from '../events/event-catalogue.js';
import { recordEvent } from '../events/record-event.js';
import { enqueueAdvance } from '../license-requests/license-request-jobs.js';
import type { LicenseRequestPort } from '../license-requests/license-request-port.js';
import { type LifecycleAction, allowedFrom, pastTense, resumedStatus } from './lifecycle-rules.js';
import type { LicenseOperation, LicenseOperationState, LicenseOperationStore } from './license-operation-store.js';
import type { LicenseStore } from './license-store.js';
import type { License, LicenseStatus } from './license.js';

export interface LifecycleOutcomeDeps {
  db: Db;
  licenses: LicenseStore;
  requests: LicenseRequestPort;
  operations: LicenseOperationStore;
  audit: AuditStore;
  events: TransitionEventWriter;
  queue: JobQueue;
  now: () => number;
}

/** How the KA's action became known: its answer, a later reading of the key, or staff who looked at the KA. */
export type ActedHow =
  | { kind: 'answered' }
  | { kind: 'read' | 'settled_by_hand'; found: Record<string, unknown>; by: Actor };

const noteOf = (operation: LicenseOperation) =>
  typeof operation.parameters.note === 'string' && operation.parameters.note ? { note: operation.parameters.note } : {};

/**
 * Records what the KA did for an operation: closes it and changes the license in one
 * transaction, which first locks the license and then closes the operation with a guarded
 * update; only the closer applies the change, so an outcome is never recorded twice.
 */
export class LifecycleOutcome {
  constructor(private readonly deps: LifecycleOutcomeDeps) {}

  /**
   * The KA acted. A renewal takes the new dates and sends the request back to `key_issued`, so
   * the pipeline fetches and installs the renewed file; the other actions set the status.
   * Throws 409 when someone else closed the operation first, or the license moved meanwhile.
   */
  async acted(
    operation: LicenseOperation,
    from: LicenseOperationState,
    license: License,
    key: IssuedKey | undefined,
    how: ActedHow,
  ): Promise<void> {
    const { db, licenses, requests, operations, audit } = this.deps;
    const action = operation.kind as LifecycleAction;
    const entity = { entityType: 'license', entityId: license.id } as const;
    const data = {
      keyNumber: license.keyNumber,
      operationId: operation.id,
      ...noteOf(operation),
      ...(how.kind === 'answered'
        ? {}
        : how.kind === 'read'
          ? { confirmedByReadingTheKey: true }
          : { settledByHand: true }),
    };
    const resolved: AuditEventInput[] =
      how.kind === 'answered'
        ? []
        : [
            {
              actor: how.by,
              action: 'license.operation_resolved',
              ...entity,
              data: { operationId: operation.id, kind: action, applied: true, how: how.kind, found: how.found },
            },
          ];
    const now = this.deps.now();
    const outcome = await transaction(db, async (tx) => {
      await licenses.lockForChange(tx, license.id);
      if (
        !(await operations.close(tx, operation.id, from, 'succeeded', {
          result: { applied: true, ...(how.kind === 'answered' ? {} : { how: how.kind, found: how.found }) },
        }))
      )
        return 'lost' as const;
      if (action === 'renew') {
        const requestId = license.requestId as number;
        // A date the KA's answer leaves out stays as it was.
        const expiresAt = key?.expiresAt
          ? key.expiresAt.getTime()
          : license.expiresAt
            ? Date.parse(license.expiresAt)
            : null;
        const updatesUntil = key?.updatesUntil
          ? key.updatesUntil.getTime()
          : license.updatesUntil
            ? Date.parse(license.updatesUntil)
            : null;
        // A leased key's own expiry moves; the license's is its subscription's term end, which it keeps.
        const lease = license.termKind === 'lease';
        await licenses.updateRenewal(tx, license.id, {
          fullKeyNumber: key?.fullKeyNumber,
          expiresAt: lease && license.expiresAt ? Date.parse(license.expiresAt) : expiresAt,
          updatesUntil,
        });
        await licenses.updateTerm(tx, license.id, { keyExpiresAt: expiresAt, revision: key?.revision });
        await recordEvent(tx, {
          type: 'license.renewed',
          entityId: license.id,
          data: { previousExpiresAt: license.expiresAt },
        });
        await audit.recordMany(tx, [
          ...resolved,
          {
            actor: operation.actor,
            action: `license.${pastTense.renew}`,
            ...entity,
            data: {
              ...data,
              expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
              previousExpiresAt: license.expiresAt,
            },
          },
        ]);
        const moved = await applyTransition(
          tx,
          this.deps,
          requests.transition(requestId, 'installed', 'key_issued', {
            attempts: 0,
            lastError: null,
            reason: null,
            nextAttemptAt: now,
          }),
          { actor: operation.actor, action: 'license_request.renewal_started', data: { licenseId: license.id } },
        );
        return moved ? ('renewed' as const) : ('request_moved' as const);
      }
      // Resuming goes back to where the license was: installed, or waiting for its install.
      const to: LicenseStatus =
        action === 'suspend' ? 'suspended' : action === 'terminate' ? 'terminated' : resumedStatus(license);
      await audit.recordMany(tx, resolved);
      // The KA acted either way, so the event is written either way.
      const event = { actor: operation.actor, action: `license.${pastTense[action]}`, ...entity };
      const changed = await applyTransition(tx, this.deps, licenses.setStatus(license.id, allowedFrom[action], to), {
        ...event,
        fromState: license.status,
        data,
        event: { type: `license.${pastTense[action]}` as EventType, payload: {} },
        whenLost: [{ ...event, fromState: license.status, data: { ...data, statusChangedMeanwhile: true } }],
      });
      return changed ? ('changed' as const) : ('changed_meanwhile' as const);
    });
    if (outcome === 'lost')
      throw new ConflictError(
        `The KA did ${action} key ${license.keyNumber}, but operation ${operation.id} was settled by another request meanwhile; reload the license`,
        'operation_settled_elsewhere',
      );
    if (outcome === 'request_moved')
      throw new ConflictError(
        `The KA renewed key ${license.keyNumber}, but its request is no longer installed; fetch and install the renewed file from the request's page`,
        'invalid_state',
      );
    if (outcome === 'changed_meanwhile')
      throw new ConflictError(
        `The KA did ${action} key ${license.keyNumber}, but the license changed meanwhile; reload it`,
        'invalid_state',
      );
    if (outcome === 'renewed') {
      const requestId = license.requestId as number;
      await enqueueAdvance(this.deps.queue, requestId, 'key_issued', 0, { idSuffix: `renewed-${now}` });
    }
  }

  /** The KA refused, or nothing was sent: the operation closes as failed and nothing else changes. */
  async failed(
    operation: LicenseOperation,
    from: LicenseOperationState,
    license: License,
    error: Record<string, unknown>,
    actor: Actor,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      await this.deps.licenses.lockForChange(tx, license.id);
      if (
        !(await this.deps.operations.close(tx, operation.id, from, 'failed', {
          lastError: error,
          result: { applied: false, ...extra },
        }))
      )
        return;
      await this.deps.audit.record(tx, {
        actor,
        action: `license.${operation.kind}_failed`,
        entityType: 'license',
        entityId: license.id,
        data: { keyNumber: license.keyNumber, operationId: operation.id, ...noteOf(operation), ...extra },
        error,
      });
    });
  }

  /** Reading the key (or staff looking at the KA) proved the KA did not act: the operation closes as failed, nothing else changes. Answers whether this call closed it. */
  async notApplied(
    operation: LicenseOperation,
    license: License,
    how: Exclude<ActedHow, { kind: 'answered' }>,
  ): Promise<boolean> {
    const { found, by } = how;
    return transaction(this.deps.db, async (tx) => {
      await this.deps.licenses.lockForChange(tx, license.id);
      if (
        !(await this.deps.operations.close(tx, operation.id, 'outcome_unknown', 'failed', {
          result: { applied: false, how: how.kind, found },
        }))
      )
        return false;
      await this.deps.audit.record(tx, {
        actor: by,
        action: 'license.operation_resolved',
        entityType: 'license',
        entityId: license.id,
        data: { operationId: operation.id, kind: operation.kind, applied: false, how: how.kind, found },
      });
      return true;
    });
  }

  /** The KA may or may not have acted: the operation stays open, and the next action on the license reads the key first. */
  async outcomeUnknown(
    operation: LicenseOperation,
    license: License,
    error: Record<string, unknown>,
    actor: Actor,
  ): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      if (!(await this.deps.operations.markOutcomeUnknown(tx, operation.id, error))) return;
      await this.deps.audit.record(tx, {
        actor,
        action: `license.${operation.kind}_outcome_unknown`,
        entityType: 'license',
        entityId: license.id,
        data: { keyNumber: license.keyNumber, operationId: operation.id, ...noteOf(operation) },
        error,
      });
    });
  }
}
