/** JSON columns are text on both dialects; these keep the parsing in one place. */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJson<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined || value === '') return fallback;
  if (typeof value !== 'string') return value as T;
  return JSON.parse(value) as T;
}

/** Timestamps are stored as epoch milliseconds (BIGINT) so both dialects agree. */
export function toIso(ms: unknown): string | null {
  if (ms === null || ms === undefined) return null;
  return new Date(Number(ms)).toISOString();
}

export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
