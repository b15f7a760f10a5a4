import { z } from 'zod';
import { assertSchemaFits, isoTime, jsonObject } from '../../http/response-schema.js';
import { type EventType, eventTypes, type OutboxEvent } from './event-catalogue.js';

/** An event as receivers get it: the webhook body. */
export const outboxEventSchema = z.object({
  id: z.string().describe('Unique and stable across retries and replays: receivers deduplicate on it.'),
  type: z.enum(eventTypes as [EventType, ...EventType[]]),
  time: isoTime.describe('When the change committed.'),
  entity: z.object({ type: z.string(), id: z.string() }),
  data: jsonObject,
});
assertSchemaFits<typeof outboxEventSchema, OutboxEvent>();

/** A `GET /events` item: the event and when its fan-out was done. */
export const listedEventSchema = outboxEventSchema.extend({ dispatchedAt: isoTime.nullable() });
export type ListedEvent = z.output<typeof listedEventSchema>;
