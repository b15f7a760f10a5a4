import { z } from 'zod';
import { idNumber } from '../../http/params.js';

export const provisioners = ['instant', 'webhook', 'manual'] as const;
export const billingPeriods = [1, 12, 24, 36] as const;

const key = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'lower-case letters, digits, - and _, at most 80');

export const planServiceSchema = z.object({
  key,
  kind: z.string().trim().min(1).max(80),
  provisioner: z.enum(provisioners),
  /** Provisioner settings (webhook `url`) and the install target (`installUrl`, `installToken`). */
  settings: z
    .object({
      url: z.url().optional(),
      installUrl: z.url().optional(),
      installToken: z.string().max(500).optional(),
      ips: z.array(z.string().max(64)).max(16).optional(),
    })
    .strict()
    .default({}),
  dependsOn: z.array(key).max(20).default([]),
});

export const planLicenseProductSchema = z.object({
  configurationId: idNumber,
  product: z.string().trim().min(1).max(120),
  features: z.array(z.string().trim().min(1).max(120)).max(50).default([]),
  /** Units the key gets when the order names no quantity (a counted product: a whole number of packs). */
  quantity: z.number().int().min(1).max(100_000).default(1),
  /** The plan service the license is installed into. */
  serviceKey: key.optional(),
  /** Billed by usage (SaaS): a monthly usage report per license; the key expires after 7 days without reports. */
  saas: z.boolean().default(false),
  /**
   * What the key counts (`users`, `computers`, `containers`): a counted product, whose quantity
   * an order may choose in packs. Absent: the key always gets `quantity`.
   */
  unit: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,29}$/, 'lower-case letters, digits, - and _, at most 30')
    .optional(),
  /** Units in one pack (a "5-computer pack": 5); orders count packs. */
  packSize: z.number().int().min(1).max(10_000).default(1),
  /** The fewest and most packs an order may ask. */
  minPacks: z.number().int().min(1).max(100_000).default(1),
  maxPacks: z.number().int().min(1).max(100_000).optional(),
  /** Whether a key's quota may go down (a downgrade), once per license. */
  allowDecrease: z.boolean().default(false),
});

export const createPlanSchema = z
  .object({
    code: key,
    name: z.string().trim().min(1).max(200),
    periods: z
      .array(
        z.union(
          billingPeriods.map((p) => z.literal(p)) as [
            z.ZodLiteral<1>,
            z.ZodLiteral<12>,
            z.ZodLiteral<24>,
            z.ZodLiteral<36>,
          ],
        ),
      )
      .min(1)
      .max(4),
    services: z.array(planServiceSchema).max(50).default([]),
    licenseProducts: z.array(planLicenseProductSchema).max(50).default([]),
  })
  .superRefine((plan, ctx) => {
    const keys = new Set(plan.services.map((s) => s.key));
    if (keys.size !== plan.services.length)
      ctx.addIssue({ code: 'custom', path: ['services'], message: 'service keys must be unique' });
    plan.services.forEach((s, i) => {
      for (const dep of s.dependsOn) {
        if (!keys.has(dep))
          ctx.addIssue({ code: 'custom', path: ['services', i, 'dependsOn'], message: `unknown service key ${dep}` });
        if (dep === s.key)
          ctx.addIssue({
            code: 'custom',
            path: ['services', i, 'dependsOn'],
            message: 'a service cannot depend on itself',
          });
      }
      if (s.provisioner === 'webhook' && !s.settings.url) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'settings', 'url'],
          message: 'a webhook service needs a url',
        });
      }
    });
    if (hasCycle(plan.services))
      ctx.addIssue({ code: 'custom', path: ['services'], message: 'service dependencies form a cycle' });
    plan.licenseProducts.forEach((p, i) => {
      const at = (field: string) => ['licenseProducts', i, field];
      if (p.maxPacks !== undefined && p.maxPacks < p.minPacks)
        ctx.addIssue({ code: 'custom', path: at('maxPacks'), message: 'maxPacks is below minPacks' });
      if (!p.unit && (p.packSize !== 1 || p.allowDecrease))
        ctx.addIssue({ code: 'custom', path: at('unit'), message: 'packs and decreases need a counted unit' });
      if (p.unit && p.quantity % p.packSize !== 0)
        ctx.addIssue({ code: 'custom', path: at('quantity'), message: `a whole number of packs of ${p.packSize}` });
      if (p.serviceKey && !keys.has(p.serviceKey)) {
        ctx.addIssue({
          code: 'custom',
          path: ['licenseProducts', i, 'serviceKey'],
          message: `unknown service key ${p.serviceKey}`,
        });
      }
    });
  });

export type CreatePlanInput = z.output<typeof createPlanSchema>;
export type PlanServiceInput = z.output<typeof planServiceSchema>;
export type PlanLicenseProductInput = z.output<typeof planLicenseProductSchema>;

function hasCycle(services: Array<{ key: string; dependsOn: string[] }>): boolean {
  const deps = new Map(services.map((s) => [s.key, s.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (k: string): boolean => {
    if (state.get(k) === 'done') return false;
    if (state.get(k) === 'visiting') return true;
    state.set(k, 'visiting');
    for (const d of deps.get(k) ?? []) if (visit(d)) return true;
    state.set(k, 'done');
    return false;
  };
  return services.some((s) => visit(s.key));
}

export interface Plan {
  id: number;
  code: string;
  name: string;
  periods: number[];
  services: PlanServiceInput[];
  licenseProducts: Array<PlanLicenseProductInput & { id: number }>;
  createdAt: string;
}
