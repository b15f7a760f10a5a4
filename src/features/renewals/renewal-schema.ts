import { z } from 'zod';
import { assertSchemaFits, isoTime } from '../../http/response-schema.js';
import { workedOperationSchema } from '../licenses/license-schema.js';
import type { RenewalView } from './renewal-service.js';

/** A paid renewal with its order and each license's renewal operation. */
export const renewalViewSchema = z.object({
  id: z.number().int(),
  subscriptionId: z.number().int(),
  orderId: z.number().int(),
  periodMonths: z.number().int(),
  fromExpiresAt: isoTime.describe('The expiry before the renewal'),
  toExpiresAt: isoTime.describe('The expiry after it: the period added to it'),
  createdAt: isoTime,
  licenses: z.array(workedOperationSchema),
});
assertSchemaFits<typeof renewalViewSchema, RenewalView>();
