import type { TransitionEventWriter } from '../../features/audit/transition.js';
import type { AuditStore } from '../../features/audit/audit-store.js';
import type { LicenseRequestStore } from '../../features/license-requests/license-request-store.js';
import type { KeyFacts, LicenseOperation } from '../../features/licenses/license-operation-store.js';
import type { LicenseStore } from '../../features/licenses/license-store.js';
import type { KeyVerdict } from '../../features/licenses/operation-resolution.js';
import type { ChangeQuantityParameters } from '../../features/quantity-changes/quantity-change-service.js';
import type { DbOrTx } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { IssuedKey, KeyInfo } from '../../plugin-sdk/ka-adapter.js';
import { quotaOfKey } from '../key-term.js';
import type { AppliedHow, AppliedRecord, OperationContext, OperationKind, OperationPlan } from './operation-kind.js';
import { refetchKeyFile } from './refetch-key-file.js';

export interface ChangeQuantityOperationDeps {
  licenses: LicenseStore;
  requests: LicenseRequestStore;
  audit: AuditStore;
  events: TransitionEventWriter;
  queue: JobQueue;
  now: () => number;
}

/**
 * Setting one key's quota at its KA for a paid upgrade or downgrade order (`changeQuantity`,
 * sent once). A lost answer is settled by reading the key: its quota is the one asked, or it is
 * not. Once changed, the license keeps the KA's quota facts and its request goes back to
 * `key_issued`, so the pipeline fetches and installs the key's new file.
 */
export class ChangeQuantityOperation implements OperationKind {
  readonly kind = 'change_quantity';

  constructor(private readonly deps: ChangeQuantityOperationDeps) {}

  plan(ctx: OperationContext): OperationPlan {
    const { license, adapter, capabilities, configuration } = ctx;
    const { quantity } = parametersOf(ctx.operation);
    if (license.status === 'terminated')
      return { do: 'refuse', reason: `key ${license.keyNumber} is terminated; its quantity is not changed` };
    if (!capabilities.includes('changeQuantity') || !adapter.changeQuantity)
      return {
        do: 'refuse',
        reason: `the KA plugin ${configuration.pluginName} cannot change quantities: set key ${license.keyNumber} to ${quantity} at the KA, then cancel this operation`,
      };
    return { do: 'send' };
  }

  async send(ctx: OperationContext): Promise<IssuedKey | undefined> {
    const { adapter, license, operation } = ctx;
    const change = adapter.changeQuantity as NonNullable<typeof adapter.changeQuantity>;
    return change.call(adapter, license.keyNumber, {
      quantity: parametersOf(operation).quantity,
      reference: operation.reference,
    });
  }

  verdict(_before: KeyFacts | null, info: KeyInfo, operation: LicenseOperation): KeyVerdict {
    if (info.quota === undefined) return { unclear: 'the KA does not say the key’s quota' };
    return { applied: info.quota === parametersOf(operation).quantity };
  }

  async applied(tx: DbOrTx, ctx: OperationContext, how: AppliedHow): Promise<AppliedRecord> {
    const { license, operation } = ctx;
    const parameters = parametersOf(operation);
    const key = how.kind === 'answered' ? how.answer : how.kind === 'read' ? how.info : undefined;
    const facts = key ? quotaOfKey(key) : { quota: null, quotaUnit: null, quotaReserved: null };
    await this.deps.licenses.updateQuota(tx, license.id, {
      quota: facts.quota ?? parameters.quantity,
      ...(facts.quotaUnit ? { quotaUnit: facts.quotaUnit } : {}),
      ...(facts.quotaReserved === null ? {} : { quotaReserved: facts.quotaReserved }),
      decreased: parameters.decrease,
    });
    if (key?.revision || key?.fullKeyNumber)
      await this.deps.licenses.updateTerm(tx, license.id, {
        revision: key.revision ?? null,
        fullKeyNumber: key.fullKeyNumber ?? null,
      });
    const data = {
      keyNumber: license.keyNumber,
      operationId: operation.id,
      orderId: parameters.orderId,
      previousQuota: license.quota,
      quota: facts.quota ?? parameters.quantity,
      packs: parameters.packs,
      ...(key?.revision ? { revision: key.revision } : {}),
      ...(how.kind === 'read' ? { confirmedByReadingTheKey: true } : {}),
    };
    await this.deps.events.write(tx, {
      type: 'license.quantity_changed',
      payload: { previousQuota: license.quota, quota: data.quota, unit: facts.quotaUnit ?? license.quotaUnit },
      entityType: 'license',
      entityId: license.id,
    });
    const audit = [
      { actor: operation.actor, action: 'license.quantity_changed', entityType: 'license', entityId: license.id, data },
    ];
    if (license.requestId === null) return { audit, result: data };
    const after = await refetchKeyFile(tx, this.deps, {
      requestId: license.requestId,
      licenseId: license.id,
      operationId: operation.id,
      started: 'license_request.quantity_file_started',
      waits: 'license_request.quantity_file_waits',
      job: 'quantity',
    });
    return { audit, result: data, after };
  }
}

function parametersOf(operation: LicenseOperation): ChangeQuantityParameters {
  const p = operation.parameters as Partial<ChangeQuantityParameters>;
  if (typeof p.quantity !== 'number' || typeof p.orderId !== 'number')
    throw new Error(`change_quantity operation ${operation.id} lacks its quantity or order`);
  return p as ChangeQuantityParameters;
}
