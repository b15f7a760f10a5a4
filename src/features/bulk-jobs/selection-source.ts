import type { z } from 'zod';

/**
 * Where a bulk job's selection comes from, for one kind of target: the list of the feature
 * that owns it (licenses, license requests), wired by the composition root. The filter is the
 * list's own, so a bulk job over "what the list shows" selects exactly that.
 */
export interface SelectionSource {
  /** The list's filter, as a JSON object (ids as numbers or canonical text). A failure names the field. */
  readonly filter: z.ZodType<Record<string, unknown>>;
  /** A page of the ids matching the filter, newest first (ids below `beforeId`). */
  ids(filter: Record<string, unknown>, page: { beforeId?: number; limit: number }): Promise<number[]>;
  /** Which of `ids` exist. */
  existing(ids: number[]): Promise<number[]>;
}
