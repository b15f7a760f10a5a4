import type { Actor } from '../../kernel/actor.js';
import type { BulkTarget } from './bulk-action.js';

/** `running` until every item is written (`finished`), or until staff cancel it (`cancelled`). */
export const bulkJobStates = ['running', 'finished', 'cancelled'] as const;
export type BulkJobState = (typeof bulkJobStates)[number];

export const bulkItemStates = ['pending', 'running', 'done', 'failed', 'skipped', 'cancelled'] as const;
export type BulkItemState = (typeof bulkItemStates)[number];

/** The counts staff watch: `left` is what is neither written nor cancelled (pending or running). */
export interface BulkJobCounts {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  cancelled: number;
  left: number;
}

export interface BulkJob {
  id: number;
  action: string;
  appliesTo: BulkTarget;
  state: BulkJobState;
  /** The filter the selection was resolved from; null when it was a list of ids. */
  filter: Record<string, unknown> | null;
  note: string | null;
  /** What the action needs beyond its items (a migration's target and product map); null when none. */
  parameters: Record<string, unknown> | null;
  /** Who created it; each item acts as them. */
  actor: Actor;
  counts: BulkJobCounts;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  /** When the last item was written (also for a cancelled job, once its items in flight ended). */
  finishedAt: string | null;
}

export interface BulkJobItem {
  id: number;
  bulkJobId: number;
  targetId: number;
  state: BulkItemState;
  attempts: number;
  /** Why it failed or was skipped (an error code), or what a done one did. */
  resultCode: string | null;
  result: string | null;
  finishedAt: string | null;
}
