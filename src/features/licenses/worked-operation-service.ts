import { ConflictError, NotFoundError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditStore } from '../audit/audit-store.js';
import { applyTransition, type TransitionEventWriter } from '../audit/transition.js';
import { enqueueOperation } from './license-operation-jobs.js';
import { type LicenseOperation, type LicenseOperationView, operationView } from './license-operation-store.js';
import type { WorkedOperationStore } from './worked-operation-store.js';

/** A worker-run operation as the API shows it, with its license. */
export type WorkedOperationView = LicenseOperationView & { licenseId: number };

export interface WorkedOperationServiceDeps {
  db: Db;
  operations: WorkedOperationStore;
  audit: AuditStore;
  events: TransitionEventWriter;
  queue: JobQueue;
  now?: () => number;
}

/**
 * What staff do with a worker-run license operation the workers gave up on (`needs_manual`):
 * retry it (from where it stood: a call whose outcome is unknown is settled by reading the key
 * first, never sent again blindly) or cancel it. Both guarded moves with their audit event.
 */
export class WorkedOperationService {
  private readonly now: () => number;

  constructor(private readonly deps: WorkedOperationServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async get(id: number): Promise<LicenseOperationView> {
    return operationView(await this.load(id), this.now());
  }

  /** Operations a cause made (one per license of a renewal), as the API shows them. */
  async ofCause(type: string, ids: number[]): Promise<WorkedOperationView[]> {
    const rows = await this.deps.operations.listByCause(this.deps.db, type, ids);
    return rows.map((o) => ({ ...operationView(o, this.now()), licenseId: o.licenseId }));
  }

  /** `needs_manual` → back to the workers with a fresh attempt budget. */
  async retry(id: number, actor: Actor): Promise<LicenseOperationView> {
    const operation = await this.load(id);
    // Sent with the outcome unknown (the license still held): the next step reads the key.
    const to = operation.sentAt ? 'outcome_unknown' : 'pending';
    const moved = await applyTransition(
      this.deps.db,
      this.deps,
      this.deps.operations.move(operation, 'needs_manual', to, {
        attempts: 0,
        nextAttemptAt: this.now(),
        reason: null,
      }),
      { actor, action: 'license_operation.retried', data: { licenseId: operation.licenseId, kind: operation.kind } },
    );
    if (!moved) throw notWithStaff(operation);
    await enqueueOperation(this.deps.queue, id, to, 0, { idSuffix: `retry-${this.now()}` });
    return operationView(moved, this.now());
  }

  /** `needs_manual` → `cancelled`: closed, the license free; an unknown outcome stays unknown (said in the audit). */
  async cancel(id: number, actor: Actor, note?: string): Promise<LicenseOperationView> {
    const operation = await this.load(id);
    const moved = await applyTransition(
      this.deps.db,
      this.deps,
      this.deps.operations.move(operation, 'needs_manual', 'cancelled', { closed: true, nextAttemptAt: null }),
      {
        actor,
        action: 'license_operation.cancelled',
        data: {
          licenseId: operation.licenseId,
          kind: operation.kind,
          ...(note ? { note } : {}),
          ...(operation.sentAt ? { outcomeWasUnknown: true } : {}),
        },
      },
    );
    if (!moved) throw notWithStaff(operation);
    return operationView(moved, this.now());
  }

  private async load(id: number): Promise<LicenseOperation> {
    const operation = await this.deps.operations.get(this.deps.db, id);
    if (!operation?.cause) throw new NotFoundError('license operation', id);
    return operation;
  }
}

function notWithStaff(operation: LicenseOperation): ConflictError {
  return new ConflictError(
    `License operation ${operation.id} is ${operation.state}, not waiting for staff; only one that needs a person can be retried or cancelled`,
    'invalid_state',
    { details: { state: operation.state } },
  );
}
