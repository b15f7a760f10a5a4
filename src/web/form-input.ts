import type { z } from 'zod';
import { validate } from '../http/validate.js';

interface FieldKind {
  /** The field may be left out (optional or with a default): an empty form field is then absent. */
  optional: boolean;
  /** What the schema reads beneath its wrappers: `number`, `boolean`, `array`, `string`, ... */
  base: string;
}

/** What a field's schema reads, beneath optional, nullable, default and transform wrappers. */
function kindOf(schema: z.ZodType): FieldKind {
  let optional = false;
  let current = schema._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
  for (;;) {
    if (current.type === 'optional' || current.type === 'default' || current.type === 'prefault') optional = true;
    const inner = current.innerType ?? (current.type === 'pipe' ? current.in : undefined);
    if (!inner) return { optional, base: current.type };
    current = inner._zod.def as typeof current;
  }
}

const truthy = new Set(['on', 'true', 'yes', '1']);
const falsy = new Set(['off', 'false', 'no', '0']);

function coerce(text: string, base: string): unknown {
  // Only a number written one way (`42`, not `042`, ` 42`, `+42` or `4.2e1`), as a JSON body would carry it.
  if (base === 'number') return String(Number(text)) === text ? Number(text) : text;
  if (base === 'boolean') return truthy.has(text) ? true : falsy.has(text) ? false : text;
  if (base === 'array')
    return text
      .split(/[\n,]+/)
      .map((item) => item.trim())
      .filter(Boolean);
  return text;
}

/**
 * A form's fields (url-encoded or the text parts of a multipart body) as the input the API's
 * schema reads: an empty field the schema may leave out is absent; where the schema wants a
 * number, a boolean or a list, the text is read as one (a list is comma or line separated).
 * Anything else stays text, so a wrong value gets the API's own message.
 */
export function formInput(schema: z.ZodObject, fields: unknown): Record<string, unknown> {
  const form = fields && typeof fields === 'object' ? (fields as Record<string, unknown>) : {};
  const input: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const value = form[name];
    if (typeof value !== 'string') continue;
    const { optional, base } = kindOf(field);
    if (value.trim() === '' && (optional || base !== 'string')) continue;
    input[name] = coerce(value, base);
  }
  return input;
}

/** A form parsed by the API's schema: the same checks and the same messages (a `ValidationError` naming each field). */
export function parseForm<S extends z.ZodObject>(schema: S, fields: unknown): z.output<S> {
  return validate(schema, formInput(schema, fields));
}
