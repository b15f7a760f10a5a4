import { z } from 'zod';
import { ValidationError } from '../errors/app-error.js';

/** A list answer: one page of rows and the cursor of the next page (null at the end). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/** Cursors are opaque to clients: base64url of the keyset values of the last row. */
export function encodeCursor(values: Array<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Array<string | number> | undefined {
  if (!cursor) return undefined;
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.every((v) => typeof v === 'string' || typeof v === 'number')) return values;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('Invalid query: cursor is not a cursor this API gave out', {
    details: { fields: [{ field: 'cursor', message: 'unknown cursor' }] },
  });
}

/** Newest-first keyset on id: fetch limit+1 rows to know whether a next page exists. */
export function pageById<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null };
}

export function cursorId(cursor: string | undefined): number | undefined {
  const values = decodeCursor(cursor);
  const id = values?.[0];
  if (values && typeof id !== 'number') {
    throw new ValidationError('Invalid query: cursor', {
      details: { fields: [{ field: 'cursor', message: 'unknown cursor' }] },
    });
  }
  return id as number | undefined;
}
