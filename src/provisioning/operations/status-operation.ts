import type { AuditStore } from '../../features/audit/audit-store.js';
import { applyTransition, type TransitionEventWriter } from '../../features/audit/transition.js';
import type { EventType } from '../../features/events/event-catalogue.js';
import { allowedFrom, pastTense, resumedStatus } from '../../features/licenses/lifecycle-rules.js';
import type { LicenseStore } from '../../features/licenses/license-store.js';
import type { License, LicenseStatus } from '../../features/licenses/license.js';
import type { LicenseOperation } from '../../features/licenses/license-operation-store.js';
import { verdictOf } from '../../features/licenses/operation-resolution.js';
import type { DbOrTx } from '../../infra/db/database.js';
import type { IssuedKey } from '../../plugin-sdk/ka-adapter.js';
import type { AppliedHow, AppliedRecord, OperationContext, OperationKind, OperationPlan } from './operation-kind.js';

/** The status changes a subscription's cancel, suspend and resume make of each of its licenses. */
export type StatusAction = 'suspend' | 'resume' | 'terminate';

export interface StatusOperationDeps {
  licenses: LicenseStore;
  audit: AuditStore;
  events: TransitionEventWriter;
  /**
   * In the transaction that closes the operation, once the license is where the action takes
   * it (also when it already was): what the operation's cause does next (a migration ends).
   */
  onApplied?(tx: DbOrTx, operation: LicenseOperation): Promise<void>;
}

/** Why nothing is done: the license is already where the action would take it (or past it). */
function nothingToDo(action: StatusAction, license: License): string | undefined {
  if (license.status === 'terminated') return 'the key is terminated';
  if (action === 'suspend' && license.status === 'suspended') return 'the key is already suspended';
  if (action === 'resume' && license.status !== 'suspended') return `the key is ${license.status}, not suspended`;
  return undefined;
}

/**
 * Suspending, resuming or terminating one license of a subscription at its KA (a worker-run
 * operation made by the subscription's suspend, resume or cancel). Where the plugin cannot
 * suspend keys, the suspension is recorded in Keyway only (the key still works at the KA), and
 * its resumption asks nothing of the KA either. A plugin that cannot terminate or resume a key
 * the KA holds gives the operation to staff, with what to do at the KA. A license already where
 * the action would take it is left as it is, so a repeated or late operation changes nothing.
 */
export class StatusOperation implements OperationKind {
  constructor(
    readonly kind: StatusAction,
    private readonly deps: StatusOperationDeps,
  ) {}

  plan(ctx: OperationContext): OperationPlan {
    const { license, adapter, capabilities, configuration } = ctx;
    const skipped = nothingToDo(this.kind, license);
    if (skipped) return { do: 'keyway_only', result: { skipped } };
    if (this.kind === 'resume' && license.suspendedInKeywayOnly)
      return { do: 'keyway_only', result: { keywayOnly: true, why: 'the key was suspended in Keyway only' } };
    const able = capabilities.includes(this.kind) && typeof adapter[this.kind] === 'function';
    if (able) return { do: 'send' };
    if (this.kind === 'suspend')
      return {
        do: 'keyway_only',
        result: { keywayOnly: true, why: `the KA plugin ${configuration.pluginName} cannot suspend keys` },
      };
    return {
      do: 'refuse',
      reason: `the KA plugin ${configuration.pluginName} cannot ${this.kind} keys: ${this.kind} key ${license.keyNumber} at the KA, then cancel this operation`,
    };
  }

  async send(ctx: OperationContext): Promise<IssuedKey | undefined> {
    const { adapter, license } = ctx;
    const call = adapter[this.kind] as (keyNumber: string) => Promise<IssuedKey | undefined>;
    return (await call.call(adapter, license.keyNumber)) ?? undefined;
  }

  verdict = (before: Parameters<typeof verdictOf>[1], info: Parameters<typeof verdictOf>[2]) =>
    verdictOf(this.kind, before, info);

  async applied(tx: DbOrTx, ctx: OperationContext, how: AppliedHow): Promise<AppliedRecord> {
    const { license, operation } = ctx;
    const result = how.kind === 'keyway_only' ? how.result : {};
    if (result.skipped) {
      await this.deps.onApplied?.(tx, operation);
      return { audit: [], result };
    }
    const keywayOnly = how.kind === 'keyway_only';
    const to: LicenseStatus =
      this.kind === 'suspend' ? 'suspended' : this.kind === 'terminate' ? 'terminated' : resumedStatus(license);
    const past = pastTense[this.kind];
    const data = {
      keyNumber: license.keyNumber,
      operationId: operation.id,
      ...(operation.cause ? { cause: operation.cause } : {}),
      ...(keywayOnly ? { keywayOnly: true, why: result.why } : {}),
      ...(how.kind === 'read' ? { confirmedByReadingTheKey: true } : {}),
    };
    const event = { actor: operation.actor, action: `license.${past}`, entityType: 'license', entityId: license.id };
    await applyTransition(
      tx,
      this.deps,
      this.deps.licenses.setStatus(license.id, allowedFrom[this.kind], to, {
        suspendedInKeywayOnly: this.kind === 'suspend' && keywayOnly,
      }),
      {
        actor: operation.actor,
        action: event.action,
        fromState: license.status,
        data,
        event: {
          type: `license.${past}` as EventType,
          payload: keywayOnly ? { keywayOnly: true } : {},
        },
        // The KA acted, but the license moved meanwhile (staff): said, not hidden.
        whenLost: [{ ...event, fromState: license.status, data: { ...data, statusChangedMeanwhile: true } }],
      },
    );
    await this.deps.onApplied?.(tx, operation);
    return { audit: [], result: { ...result, status: to } };
  }
}
