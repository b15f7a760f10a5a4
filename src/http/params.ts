import { z } from 'zod';

/**
 * Ids are written one way only: decimal digits without sign, leading zero, space, fraction
 * or exponent, within a safe integer. Reading `1e3`, `01`, `+1`, `0x1` or ` 1` as id 1 or
 * 1000 (what `Number()` does) let a fuzzer act on records it never named.
 */
const canonicalId = /^[1-9][0-9]*$/;
const idMessage = 'must be an id: digits without sign, leading zero, space or exponent';

/** The id `text` names, or undefined when it is not written canonically. */
function parseId(text: string): number | undefined {
  if (!canonicalId.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** An id arriving as text (path parameter, query, form or multipart field): a 400 naming the field unless canonical. */
export const idText = z
  .string()
  .regex(canonicalId, { message: idMessage, abort: true })
  .refine((text) => parseId(text) !== undefined, `must be an id of at most ${Number.MAX_SAFE_INTEGER}`)
  .transform(Number);

/** An id in a JSON body: a whole JSON number from 1 to 2^53 - 1 (zod's `int` is a safe integer); a string, a fraction or 0 is refused. */
export const idNumber = z.number().int().min(1);

/** `:id` route parameters: canonical ids, so a bad id is a 400 naming `id`, never a 404 or another record. */
export const idParams = z.object({ id: idText });
