import { z } from 'zod';
import type { Actor } from '../kernel/actor.js';

/**
 * Response schemas: what a route answers, described once per entity beside the type it describes
 * and emitted into the OpenAPI document (`answer.schema`). A schema and the type a handler
 * answers are tied by `assertSchemaFits`, so neither can change without the other.
 */

/** True when the schema's output and the type are assignable both ways: every field, its type and nullability. */
export type SchemaFits<Schema extends z.ZodType, Type> = [z.output<Schema>] extends [Type]
  ? [Type] extends [z.output<Schema>]
    ? true
    : false
  : false;

/**
 * A compile-time check, nothing at run time: `assertSchemaFits<typeof orderSchema, Order>()`
 * fails to compile ("Expected 1 arguments") when the schema and the type disagree.
 */
export function assertSchemaFits<Schema extends z.ZodType, Type>(
  ..._mismatch: SchemaFits<Schema, Type> extends true ? [] : [schemaDoesNotFitType: never]
): void {}

/** An ISO 8601 time as the API answers it (`toIso`). */
export const isoTime = z.string().describe('ISO 8601 time');

/** A JSON object whose fields the API does not fix (error records, event data, settings). */
export const jsonObject = z.record(z.string(), z.unknown());

/** A list answer, `Page<T>`: one page of rows and the cursor of the next (null at the end). */
export function pageSchema<Item extends z.ZodType>(item: Item) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

/** A whole list in one answer, `{data}`. */
export function listAnswerSchema<Item extends z.ZodType>(item: Item) {
  return z.object({ data: z.array(item) });
}

/** Who did something (`kernel/actor.ts`). */
export const actorSchema = z.object({
  type: z.enum(['staff', 'api', 'worker', 'system']),
  id: z.string().optional(),
  name: z.string().optional(),
});
assertSchemaFits<typeof actorSchema, Actor>();
