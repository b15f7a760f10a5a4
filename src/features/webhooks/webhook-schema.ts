import { z } from 'zod';
import { assertSchemaFits, isoTime } from '../../http/response-schema.js';
import type { WebhookAttempt, WebhookDelivery } from './webhook-delivery-store.js';
import type { WebhookEndpoint } from './webhook-endpoint-store.js';

const endpointFields = z.object({
  id: z.number().int(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.string()).describe('Event types it receives; `*` for all.'),
  enabled: z.boolean(),
  status: z.enum(['active', 'failing']),
  failingSince: isoTime.nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
assertSchemaFits<typeof endpointFields, WebhookEndpoint>();

/** A webhook endpoint as the API answers it: `secret` is the mask, or once, the secret Keyway made. */
export const webhookEndpointSchema = endpointFields.extend({
  secret: z.string().describe('`********`, except in the answer that created it with a secret Keyway made.'),
});

const deliveryFields = z.object({
  id: z.number().int(),
  endpointId: z.number().int(),
  outboxEventId: z.number().int(),
  eventId: z.string(),
  eventType: z.string(),
  entityKey: z.string(),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: isoTime.nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: isoTime,
  deliveredAt: isoTime.nullable(),
});
assertSchemaFits<typeof deliveryFields, WebhookDelivery>();

const attemptSchema = z.object({
  id: z.number().int(),
  deliveryId: z.number().int(),
  attempt: z.number().int(),
  at: isoTime,
  statusCode: z.number().int().nullable(),
  latencyMs: z.number(),
  responseExcerpt: z.string().nullable().describe("The first KB of the endpoint's answer."),
  error: z.string().nullable(),
});
assertSchemaFits<typeof attemptSchema, WebhookAttempt>();

/** A delivery of one event to one endpoint, with its attempts. */
export const webhookDeliverySchema = deliveryFields.extend({ attemptLog: z.array(attemptSchema) });
export type WebhookDeliveryWithAttempts = z.output<typeof webhookDeliverySchema>;

export const replayedDeliverySchema = z.object({ deliveryId: z.number().int() });
export const replayedSinceSchema = z.object({
  deliveries: z.number().int().describe('How many deliveries were made.'),
});
export const testDeliverySchema = z.object({ deliveryId: z.number().int(), eventId: z.string() });
