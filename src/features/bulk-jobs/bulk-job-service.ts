import { ConflictError, NotFoundError, ValidationError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditWriter } from '../audit/audit-store.js';
import { applyTransition } from '../audit/transition.js';
import type { BulkAction, BulkTarget } from './bulk-action.js';
import type { BulkActionRegistry } from './bulk-action-registry.js';
import type { BulkItemState, BulkJob, BulkJobItem, BulkJobState } from './bulk-job.js';
import type { BulkJobStore } from './bulk-job-store.js';
import type { SelectionSource } from './selection-source.js';

/** The most items one job takes: a selection above it is refused (narrow the filter). */
export const maxBulkItems = 200_000;
/** Ids per page while a filter is resolved. */
const selectionPage = 1000;

export interface NewBulkJob {
  action: string;
  /** Exactly one of `ids` and `filter`. */
  ids?: number[];
  filter?: Record<string, unknown>;
  /** The number of items, required for a destructive action. */
  confirm?: number;
  note?: string;
  /** The action's parameters (see `BulkAction.parameters`). */
  parameters?: Record<string, unknown>;
}

export interface BulkJobServiceDeps {
  db: Db;
  store: BulkJobStore;
  actions: BulkActionRegistry;
  sources: Record<BulkTarget, SelectionSource>;
  audit: AuditWriter;
  /** Hands a new job to the workers (enqueues its queue jobs). */
  start(jobId: number): Promise<void>;
}

/**
 * Creates bulk jobs (the selection resolved once into items, destructive ones only with the
 * count confirmed), cancels them and reads them. The workers (`BulkJobWork`) do the rest.
 */
export class BulkJobService {
  constructor(private readonly deps: BulkJobServiceDeps) {}

  async create(input: NewBulkJob, actor: Actor): Promise<BulkJob> {
    const { db, store, audit } = this.deps;
    const action = this.deps.actions.get(input.action);
    if (!action)
      throw ValidationError.forFields([
        { field: 'action', message: `must be one of ${this.deps.actions.names().join(', ')}` },
      ]);
    const parameters = this.parametersOf(action, input.parameters);
    const source = this.deps.sources[action.appliesTo];
    const { targetIds, filter } = await this.select(source, input);
    if (targetIds.length === 0)
      throw ValidationError.forFields([
        { field: input.ids ? 'ids' : 'filter', message: `selects no ${action.appliesTo.replace('_', ' ')}s` },
      ]);
    if (action.destructive && input.confirm !== targetIds.length) {
      throw new ConflictError(
        `${action.label} ${targetIds.length} ${action.appliesTo.replace('_', ' ')}${targetIds.length === 1 ? '' : 's'}? This cannot be undone: send confirm: ${targetIds.length} to go ahead`,
        'confirmation_required',
        { details: { field: 'confirm', count: targetIds.length, confirm: input.confirm ?? null } },
      );
    }
    const id = await transaction(db, async (tx) => {
      const jobId = await store.insert(tx, {
        action: action.name,
        appliesTo: action.appliesTo,
        filter,
        note: input.note ?? null,
        parameters,
        actor,
        targetIds,
      });
      await audit.record(tx, {
        actor,
        action: 'bulk_job.created',
        entityType: 'bulk_job',
        entityId: jobId,
        toState: 'running',
        data: { action: action.name, count: targetIds.length, ...(filter ? { filter } : {}) },
      });
      return jobId;
    });
    await this.deps.start(id);
    return this.get(id);
  }

  /**
   * The targets an action would be run on, resolved and checked as `create` does (a dry run's
   * selection), without creating anything.
   */
  async targets(actionName: string, input: Pick<NewBulkJob, 'ids' | 'filter'>): Promise<number[]> {
    const action = this.deps.actions.get(actionName);
    if (!action) throw new Error(`no bulk action ${actionName}`);
    return (await this.select(this.deps.sources[action.appliesTo], input)).targetIds;
  }

  /** Stops a running job: items not claimed yet are cancelled at once; items in flight finish. */
  async cancel(id: number, actor: Actor): Promise<BulkJob> {
    const { db, store, audit } = this.deps;
    const job = await this.get(id);
    const moved = await applyTransition(db, { audit }, store.cancel(id), (_tx, { cancelledItems }) =>
      Promise.resolve({ actor, action: 'bulk_job.cancelled', data: { action: job.action, cancelledItems } }),
    );
    if (!moved) {
      const now = await this.get(id);
      throw new ConflictError(`Bulk job ${id} is ${now.state}; only a running job can be cancelled`, 'invalid_state', {
        details: { state: now.state },
      });
    }
    // Nothing was in flight: the job ends now.
    await store.closeCancelled(db, id);
    return this.get(id);
  }

  async get(id: number): Promise<BulkJob> {
    const job = await this.deps.store.get(this.deps.db, id);
    if (!job) throw new NotFoundError('bulk job', id);
    return job;
  }

  list(filter: { state?: BulkJobState; beforeId?: number; limit: number }): Promise<BulkJob[]> {
    return this.deps.store.list(this.deps.db, filter);
  }

  async items(id: number, filter: { state?: BulkItemState; afterId?: number; limit: number }): Promise<BulkJobItem[]> {
    await this.get(id);
    return this.deps.store.items(this.deps.db, id, filter);
  }

  private parametersOf(action: BulkAction, given: Record<string, unknown> | undefined): Record<string, unknown> | null {
    if (!action.parameters) {
      if (given && Object.keys(given).length)
        throw ValidationError.forFields([{ field: 'parameters', message: `${action.name} takes no parameters` }]);
      return null;
    }
    const parsed = action.parameters.safeParse(given ?? {});
    if (!parsed.success)
      throw ValidationError.forFields(
        parsed.error.issues.map((issue) => ({
          field: ['parameters', ...issue.path].join('.'),
          message: issue.message,
        })),
      );
    return parsed.data;
  }

  /** The targets, resolved now, oldest first: a job acts on what was selected, whatever changes later. */
  private async select(
    source: SelectionSource,
    input: Pick<NewBulkJob, 'ids' | 'filter'>,
  ): Promise<{ targetIds: number[]; filter: Record<string, unknown> | null }> {
    if ((input.ids === undefined) === (input.filter === undefined))
      throw ValidationError.forFields([{ field: 'filter', message: 'give either ids or filter (one of them)' }]);
    if (input.ids) {
      const unique = [...new Set(input.ids)];
      const existing = new Set(await source.existing(unique));
      const missing = unique.filter((id) => !existing.has(id));
      if (missing.length)
        throw ValidationError.forFields([
          {
            field: 'ids',
            message: `no such records: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`,
          },
        ]);
      return { targetIds: unique.sort((a, b) => a - b), filter: null };
    }
    const parsed = source.filter.safeParse(input.filter);
    if (!parsed.success)
      throw ValidationError.forFields(
        parsed.error.issues.map((issue) => ({ field: ['filter', ...issue.path].join('.'), message: issue.message })),
      );
    const ids: number[] = [];
    for (let beforeId: number | undefined; ; ) {
      const page = await source.ids(parsed.data, { beforeId, limit: selectionPage });
      ids.push(...page);
      if (ids.length > maxBulkItems)
        throw ValidationError.forFields([
          { field: 'filter', message: `selects more than ${maxBulkItems} records; narrow it` },
        ]);
      if (page.length < selectionPage) break;
      beforeId = page[page.length - 1];
    }
    return { targetIds: ids.reverse(), filter: input.filter ?? null };
  }
}
