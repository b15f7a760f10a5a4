import { z } from 'zod';
import { licenseRequestSchema } from '../features/license-requests/license-request-schema.js';
import { licenseListItemSchema } from '../features/licenses/license-schema.js';
import { subscriptionSchema, subscriptionServiceSchema } from '../features/subscriptions/subscription-schema.js';

/**
 * A subscription with everything a client wants to see about it (`GET /subscriptions/:id`), in
 * one answer. `SubscriptionDetails` is derived from it, so the answer and its schema are one.
 */
export const subscriptionDetailsSchema = subscriptionSchema.extend({
  services: z.array(subscriptionServiceSchema),
  licenseRequests: z.array(licenseRequestSchema),
  licenses: z.array(licenseListItemSchema).describe('Each with the phase its dates give now.'),
});
