import { z } from 'zod';
import { assertSchemaFits, isoTime } from '../../http/response-schema.js';
import { type Plan, provisioners } from './plan.js';

/** A plan as the API answers it; a service's `installToken` is masked (`publicPlan`). */
export const planSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  periods: z.array(z.number().int()).describe('Months it is sold for'),
  services: z.array(
    z.object({
      key: z.string(),
      kind: z.string(),
      provisioner: z.enum(provisioners),
      settings: z.object({
        url: z.string().optional(),
        installUrl: z.string().optional(),
        installToken: z.string().optional(),
        ips: z.array(z.string()).optional(),
      }),
      dependsOn: z.array(z.string()),
    }),
  ),
  licenseProducts: z.array(
    z.object({
      id: z.number().int(),
      configurationId: z.number().int(),
      product: z.string(),
      features: z.array(z.string()),
      quantity: z.number().int(),
      serviceKey: z.string().optional(),
      saas: z.boolean(),
      unit: z.string().optional(),
      packSize: z.number().int(),
      minPacks: z.number().int(),
      maxPacks: z.number().int().optional(),
      allowDecrease: z.boolean(),
    }),
  ),
  createdAt: isoTime,
});
assertSchemaFits<typeof planSchema, Plan>();
