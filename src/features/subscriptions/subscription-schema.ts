import { z } from 'zod';
import { assertSchemaFits, isoTime, jsonObject } from '../../http/response-schema.js';
import type { Subscription, SubscriptionService } from './subscription.js';

/** A subscription as the API lists it (`GET /subscriptions/:id` adds its parts: `SubscriptionReader.schema`). */
export const subscriptionSchema = z.object({
  id: z.number().int(),
  orderId: z.number().int(),
  customerId: z.number().int(),
  planId: z.number().int(),
  period: z.number().int().describe('Months'),
  state: z.enum(['provisioning', 'active', 'suspended', 'cancelled']),
  startsAt: isoTime,
  expiresAt: isoTime,
  autoRenew: z.boolean().describe('Renewed automatically at the end of the term.'),
  createdAt: isoTime,
  cancelsAt: isoTime.nullable().describe('When a cancel asked for the term end is due; null: none pending.'),
  cancelledAt: isoTime.nullable(),
});
assertSchemaFits<typeof subscriptionSchema, Subscription>();

/** One service of a subscription, as its details show it. */
export const subscriptionServiceSchema = z.object({
  id: z.number().int(),
  key: z.string(),
  kind: z.string(),
  provisioner: z.string(),
  state: z.string(),
  dependsOn: z.array(z.string()),
  lastError: jsonObject.nullable(),
  readyAt: isoTime.nullable(),
});
assertSchemaFits<typeof subscriptionServiceSchema, SubscriptionService>();
