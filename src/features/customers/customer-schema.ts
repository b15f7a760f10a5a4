import { z } from 'zod';
import { assertSchemaFits, isoTime } from '../../http/response-schema.js';
import type { Customer } from './customer.js';

/** A customer as the API answers it. */
export const customerSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  email: z.string(),
  externalRef: z.string().nullable(),
  createdAt: isoTime,
});
assertSchemaFits<typeof customerSchema, Customer>();
