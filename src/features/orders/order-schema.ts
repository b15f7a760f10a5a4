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
  kind: z.enum(['new', 'renewal', 'upgrade', 'downgrade']),
  licenseQuantities: z
    .array(z.object({ licenseProductId: z.number().int(), quantity: z.number().int() }))
    .describe('The packs asked per counted license product (`new` orders).'),
  change: z
    .object({ licenseId: z.number().int(), quantity: z.number().int() })
    .nullable()
    .describe('Change orders: the license and its new quantity in packs.'),
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
