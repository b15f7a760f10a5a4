import type { z } from 'zod';
import type { Actor } from '../../kernel/actor.js';

/** What a bulk job's items are ids of. */
export const bulkTargets = ['license', 'license_request'] as const;
export type BulkTarget = (typeof bulkTargets)[number];

/**
 * How one item ended: done; failed (the action was tried and did not happen, with why);
 * skipped (it does not apply to the target as it is now: a terminated license to renew); or
 * `later` (the target is busy with other work, such as another action on the same license:
 * the item waits `delayMs` and is tried again, up to a bound, then fails).
 */
export type ItemOutcome =
  | { state: 'done'; code?: string; message?: string }
  | { state: 'failed' | 'skipped'; code: string; message: string }
  | { state: 'later'; code: string; message: string; delayMs: number };

/** One item as an action receives it. */
export interface BulkItemRef {
  /** The item's own id: unique per job and target, the action's idempotency key. */
  id: number;
  /** The license's or license request's id. */
  targetId: number;
}

/** Who runs an item, and for which job. */
export interface BulkRunContext {
  /** The staff user or API client who created the job: the target's audit events name them. */
  actor: Actor;
  bulkJobId: number;
  note?: string;
  /** The job's parameters, as the action's `parameters` schema checked them at creation (`{}` when none). */
  parameters: Record<string, unknown>;
}

/**
 * One kind of bulk work (`renew`, `terminate`, `retry_online`, later `sync`, `migrate`), run
 * on one item at a time by the bulk job workers. Adding one is a file exporting a factory of
 * this object and one registration in the composition root.
 *
 * Promises the action must keep:
 * - `run` is **idempotent per item**: a worker may die after the action happened and before
 *   its outcome was written, and the item is then run again. Use `item.id` (with `bulkJobId`)
 *   as the idempotency key of what it calls, so the second run answers what the first did.
 * - Expected outcomes are returned, not thrown; a thrown error fails the item with its message.
 * - It leaves the target's own audit events (through the feature service it calls).
 */
export interface BulkAction {
  /** The action's name in the API (`POST /bulk-jobs {action}`): lower case and underscores. */
  readonly name: string;
  /** Short text for the console ("Renew", "Retry online"). */
  readonly label: string;
  /** Destructive actions are created only with `confirm` equal to the number of items. */
  readonly destructive: boolean;
  readonly appliesTo: BulkTarget;
  /** Items claimed per batch (default 20); smaller for slow actions, so a batch ends well within the lease. */
  readonly batchSize?: number;
  /** What the job must be created with beyond its items (checked at creation; refused naming `parameters.<field>`). Absent: none taken. */
  readonly parameters?: z.ZodType<Record<string, unknown>>;
  run(item: BulkItemRef, context: BulkRunContext): Promise<ItemOutcome>;
}
