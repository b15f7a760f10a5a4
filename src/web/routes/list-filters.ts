import type { Request } from 'express';
import { z } from 'zod';
import { idText } from '../../http/params.js';
import type { FieldErrors } from '../components/form-fields.js';

const dayMs = 24 * 60 * 60_000;
const isoDay = z.iso.date('Use a date like 2025-01-31.');

/** What the orders and subscriptions lists filter by: state, customer and a range of UTC days. */
export function listFilterSchema<S extends readonly [string, ...string[]]>(states: S) {
  return z
    .object({
      state: z.enum(states).optional(),
      customer: idText.optional(),
      from: isoDay.optional(),
      until: isoDay.optional(),
      cursor: z.string().max(200).optional(),
    })
    .refine((q) => !q.from || !q.until || q.from <= q.until, {
      path: ['until'],
      message: 'The last day comes on or after the first.',
    });
}

export interface ListFilter<S extends string> {
  state?: S;
  customerId?: number;
  createdFromMs?: number;
  createdBeforeMs?: number;
}

/** The filter as the form shows it back: the values as typed. */
export type ListFilterForm = Partial<Record<'state' | 'customer' | 'from' | 'until' | 'cursor', string>>;

/** Empty query values mean "no filter"; repeated or nested ones are not ours. */
export function filledQuery(query: Request['query']): ListFilterForm {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  return out;
}

/**
 * A list's query as a store filter, or the fields' errors. `until` is inclusive: the filter
 * ends at the start of the next UTC day.
 */
export function parseListFilter<S extends readonly [string, ...string[]]>(
  states: S,
  form: ListFilterForm,
): { filter: ListFilter<S[number]>; cursor?: string } | { errors: FieldErrors } {
  const parsed = listFilterSchema(states).safeParse(form);
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'state')] ??= issue.message;
    return { errors };
  }
  const q = parsed.data;
  return {
    filter: {
      state: q.state as S[number] | undefined,
      customerId: q.customer,
      createdFromMs: q.from ? Date.parse(`${q.from}T00:00:00Z`) : undefined,
      createdBeforeMs: q.until ? Date.parse(`${q.until}T00:00:00Z`) + dayMs : undefined,
    },
    cursor: q.cursor,
  };
}
