import type { AuditStore } from '../../features/audit/audit-store.js';
import type { TransitionEventWriter } from '../../features/audit/transition.js';
import type { LicenseRequestStore } from '../../features/license-requests/license-request-store.js';
import type { LicenseStore } from '../../features/licenses/license-store.js';
import { verdictOf } from '../../features/licenses/operation-resolution.js';
import type { DbOrTx } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { IssuedKey } from '../../plugin-sdk/ka-adapter.js';
import { termOfKey } from '../key-term.js';
import { refetchKeyFile } from './refetch-key-file.js';
import type { AppliedHow, AppliedRecord, OperationContext, OperationKind, OperationPlan } from './operation-kind.js';

/** What a renewal operation is made with (by a paid renewal order, one per license). */
export interface RenewParameters {
  /** Months the subscription was renewed by. */
  periodMonths: number;
  /** The subscription's new expiry (ISO): the term's end a leased key follows. */
  termEndsAt: string;
  renewalId?: number;
  orderId?: number;
}

export interface RenewOperationDeps {
  licenses: LicenseStore;
  requests: LicenseRequestStore;
  audit: AuditStore;
  events: TransitionEventWriter;
  queue: JobQueue;
  now: () => number;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/**
 * Renewing one license of a renewed subscription at its KA, by the subscription's period, from
 * the key's current expiry (the KA's rule). A key the KA leases month by month is not renewed
 * at all: the KA renews it itself, so only its term's end moves in Keyway and the file refresh
 * fetches each new revision. A plugin that renews by one fixed period renews only when that is
 * the period asked. Once renewed, the license's request goes back to `key_issued`, so the
 * pipeline fetches the renewed file and installs it.
 */
export class RenewOperation implements OperationKind {
  readonly kind = 'renew';

  constructor(private readonly deps: RenewOperationDeps) {}

  plan(ctx: OperationContext): OperationPlan {
    const { license, adapter, capabilities, configuration } = ctx;
    const { periodMonths } = parametersOf(ctx);
    if (license.status === 'terminated')
      return { do: 'refuse', reason: `key ${license.keyNumber} is terminated; a terminated key is not renewed` };
    if (license.termKind === 'lease')
      return { do: 'keyway_only', result: { leaseRenewedByKa: true, keyExpiresAt: license.keyExpiresAt } };
    // The KA moves an additional key that renews with its subscription when it renews the primary.
    if (license.keyType === 'additional')
      return { do: 'keyway_only', result: { renewsWithPrimary: true, keyExpiresAt: license.keyExpiresAt } };
    if (!capabilities.includes('renew') || !adapter.renew)
      return {
        do: 'refuse',
        reason: `the KA plugin ${configuration.pluginName} cannot renew keys: renew key ${license.keyNumber} at the KA by ${periodMonths} months, then retry or cancel this operation`,
      };
    if (adapter.renewPeriods === 'fixed' && license.periodMonths !== periodMonths)
      return {
        do: 'refuse',
        reason: `the KA renews key ${license.keyNumber} by its own period only (${license.periodMonths ?? 'unknown'} months), not by ${periodMonths}: renew it at the KA, then cancel this operation`,
      };
    return { do: 'send' };
  }

  async send(ctx: OperationContext): Promise<IssuedKey | undefined> {
    const { adapter, license, operation } = ctx;
    const { periodMonths } = parametersOf(ctx);
    const renew = adapter.renew as NonNullable<typeof adapter.renew>;
    // A fixed-period protocol takes no period: asking for one would only be refused.
    const period = adapter.renewPeriods === 'fixed' ? undefined : periodMonths;
    return renew.call(adapter, license.keyNumber, { periodMonths: period, reference: operation.reference });
  }

  verdict = (before: Parameters<typeof verdictOf>[1], info: Parameters<typeof verdictOf>[2]) =>
    verdictOf('renew', before, info);

  async applied(tx: DbOrTx, ctx: OperationContext, how: AppliedHow): Promise<AppliedRecord> {
    const { license, operation } = ctx;
    const parameters = parametersOf(ctx);
    const termEndsAt = Date.parse(parameters.termEndsAt);
    const key = how.kind === 'answered' ? how.answer : how.kind === 'read' ? how.info : undefined;
    const now = this.deps.now();
    const term = key
      ? termOfKey(key, { termEndsAt, now, current: license })
      : // The KA renews a lease itself, and an additional key with its primary: only the term's end moves.
        license.keyType === 'additional'
        ? { expiresAt: termEndsAt, keyExpiresAt: termEndsAt }
        : { expiresAt: termEndsAt };
    await this.deps.licenses.updateTerm(tx, license.id, term);
    const renewedAtKa = how.kind !== 'keyway_only';
    const data = {
      keyNumber: license.keyNumber,
      operationId: operation.id,
      periodMonths: parameters.periodMonths,
      previousExpiresAt: license.expiresAt,
      expiresAt: iso(term.expiresAt),
      ...(parameters.renewalId ? { renewalId: parameters.renewalId } : {}),
      ...(parameters.orderId ? { orderId: parameters.orderId } : {}),
      ...(renewedAtKa
        ? { revision: 'revision' in term ? (term.revision ?? null) : null }
        : how.kind === 'keyway_only'
          ? how.result
          : {}),
      ...(how.kind === 'read' ? { confirmedByReadingTheKey: true } : {}),
    };
    await this.deps.events.write(tx, {
      type: 'license.renewed',
      payload: { previousExpiresAt: license.expiresAt, periodMonths: parameters.periodMonths },
      entityType: 'license',
      entityId: license.id,
    });
    const audit = [
      {
        actor: operation.actor,
        action: 'license.renewed',
        entityType: 'license',
        entityId: license.id,
        data,
      },
    ];
    if (!renewedAtKa || license.requestId === null) return { audit, result: data };
    // The renewed file: fetched and installed by the pipeline, from the request.
    const after = await refetchKeyFile(tx, this.deps, {
      requestId: license.requestId,
      licenseId: license.id,
      operationId: operation.id,
      started: 'license_request.renewal_started',
      waits: 'license_request.renewal_file_waits',
      job: 'renewed',
    });
    return { audit, result: data, after };
  }
}

function parametersOf(ctx: OperationContext): RenewParameters {
  const p = ctx.operation.parameters as Partial<RenewParameters>;
  if (typeof p.periodMonths !== 'number' || typeof p.termEndsAt !== 'string')
    throw new Error(`renewal operation ${ctx.operation.id} lacks its period or term end`);
  return p as RenewParameters;
}
