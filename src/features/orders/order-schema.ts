import { z } from 'zod';
import { assertSchemaFits, isoTime } from '../../http/response-schema.js';
import type { Order } from './order-store.js';

/** An order as the API answers it. */
export const orderSchema = z.object({
  id: z.number().int(),
  reference: z.string(),
  customerId: z.number().int(),
  planId: z.number().int(),
  period: z.number().int().describe('Months'),
  kind: z.enum(['new', 'renewal']),
  state: z.enum(['placed', 'paid', 'cancelled']),
  paymentReference: z.string().nullable(),
  subscriptionId: z
    .number()
    .int()
    .nullable()
    .describe('The subscription the payment created (`new`), or the one it renews (`renewal`).'),
  placedByTokenId: z.number().int().nullable(),
  createdAt: isoTime,
  paidAt: isoTime.nullable(),
  cancelledAt: isoTime.nullable(),
});
assertSchemaFits<typeof orderSchema, Order>();
