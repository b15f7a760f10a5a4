import { clip } from '../../infra/db/bounded-text.js';

/** Where a license stands against its KA after its last sync; null on a license never synced. */
export const syncStates = ['in_sync', 'not_in_sync', 'failed'] as const;
export type SyncState = (typeof syncStates)[number];

/** The facts a sync compares, named as the license answers them. */
export type SyncField = 'status' | 'keyExpiresAt' | 'updatesUntil' | 'features' | 'additionalKeyNumbers' | 'revision';

/** One fact the KA and Keyway disagree on: what each says (text, a list of texts, or null). */
export interface SyncDifference {
  field: SyncField;
  ka: string | string[] | null;
  keyway: string | string[] | null;
}

/** A license's sync as it answers: state, when the KA was last read, and the differences found then. */
export interface LicenseSync {
  state: SyncState | null;
  lastSyncedAt: string | null;
  differences: SyncDifference[];
  /** Why the last sync could not read the key (state `failed`). */
  error?: string;
}

/** Each value of a difference is cut to this, so a diff of every field stays far within its column. */
const maxValueChars = 300;
/** At most this many entries of a list value are kept (with a last entry saying how many more). */
const maxListEntries = 20;

function boundedValue(value: SyncDifference['ka']): SyncDifference['ka'] {
  if (value === null) return null;
  if (typeof value === 'string') return clip(value, maxValueChars);
  const kept = value.slice(0, maxListEntries).map((v) => clip(v, 100));
  return value.length > maxListEntries ? [...kept, `… ${value.length - maxListEntries} more`] : kept;
}

/**
 * The stored form of a sync's outcome: differences with bounded values and an error cut to a
 * line; six fields of at most ~2,500 characters each keep it under the column's bound (8,000).
 */
export function storedSync(differences: SyncDifference[], error?: string): string {
  const json = JSON.stringify({
    differences: differences.map((d) => ({ field: d.field, ka: boundedValue(d.ka), keyway: boundedValue(d.keyway) })),
    ...(error ? { error: clip(error, 500) } : {}),
  });
  return clip(json, 8_000);
}

/** Reads what `storedSync` wrote; a value cut too short to parse reads as no differences. */
export function readStoredSync(text: string | null | undefined): Pick<LicenseSync, 'differences' | 'error'> {
  if (!text) return { differences: [] };
  try {
    const parsed = JSON.parse(text) as { differences?: SyncDifference[]; error?: string };
    return { differences: parsed.differences ?? [], ...(parsed.error ? { error: parsed.error } : {}) };
  } catch {
    return { differences: [] };
  }
}
