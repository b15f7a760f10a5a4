import type { z } from 'zod';
import { ValidationError } from '../errors/app-error.js';

/**
 * Parses input with the route's schema. On failure the error names every bad field, so a
 * client can fix its request without guessing.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: 'body' | 'query' | 'params' = 'body',
): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw ValidationError.forFields(
    result.error.issues.flatMap((issue) =>
      // An unknown field is named itself, not its parent object.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            field: [...issue.path, key].join('.'),
            message: 'is not a field of this request',
          }))
        : [{ field: issue.path.length ? issue.path.join('.') : where, message: issue.message }],
    ),
    { where },
  );
}
