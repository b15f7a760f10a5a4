import { z } from 'zod';
import { roles } from '../../kernel/principal.js';

/** An API token just issued: its record and, this once, the plain `token`. */
export const issuedApiTokenSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  role: z.enum(roles),
  customerId: z.number().int().nullable(),
  token: z.string().describe('Shown in this answer only; Keyway stores its hash.'),
});
export type IssuedApiToken = z.output<typeof issuedApiTokenSchema>;
