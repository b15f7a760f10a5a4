import { z } from 'zod';
import { assertSchemaFits, isoTime } from '../../http/response-schema.js';
import type { MigrationPlan, PlannedLicense } from './migration-plan.js';

/** One license of a dry run, with what would happen to it. */
export const plannedLicenseSchema = z.object({
  licenseId: z.number().int(),
  keyNumber: z.string(),
  product: z.string(),
  targetProduct: z.string().nullable().describe('The product at the target; null when the map has none.'),
  quantity: z.number().int(),
  periodMonths: z.number().int().nullable(),
  expiresAt: isoTime.nullable(),
  action: z.enum(['migrate', 'skip']),
  code: z.string().optional().describe('`skip`: why (`unmapped_product`, `already_migrated`, ...).'),
  message: z.string().optional(),
});
assertSchemaFits<typeof plannedLicenseSchema, PlannedLicense>();

/** What a dry run answers: nothing is changed. */
export const migrationPlanSchema = z.object({
  targetConfigurationId: z.number().int(),
  atRenewal: z.boolean(),
  count: z.number().int(),
  toMigrate: z.number().int(),
  mapped: z
    .array(
      z.object({
        product: z.string(),
        targetProduct: z.string(),
        licenses: z.number().int(),
        quantity: z.number().int(),
      }),
    )
    .describe('Per mapped product: how many licenses and units move.'),
  unmapped: z
    .array(z.object({ product: z.string(), licenses: z.number().int(), licenseIds: z.array(z.number().int()) }))
    .describe('Products of the selection with no mapping, with their licenses.'),
  skipped: z.record(z.string(), z.number().int()).describe('Per reason, licenses that would be skipped.'),
  licenses: z.array(plannedLicenseSchema).describe('The first licenses (up to 500); the counts cover all.'),
});
assertSchemaFits<typeof migrationPlanSchema, MigrationPlan>();

/** `POST /migrations`: the plan of a dry run, or the bulk job that runs the migration (`job`, as the bulk jobs answer it). */
export function migrationAnswerSchema<Job extends z.ZodType<{ id: number }>>(job: Job) {
  return z.discriminatedUnion('dryRun', [
    z.object({ dryRun: z.literal(true), plan: migrationPlanSchema }),
    z.object({ dryRun: z.literal(false), job }),
  ]);
}
