import { z } from 'zod';
import { assertSchemaFits, isoTime } from '../../http/response-schema.js';
import type { IngestOutcome } from './usage-ingest.js';
import type { ReportRow } from './usage-report-store.js';
import type { LicenseUsage, UsageStanding } from './usage-view.js';

const month = z.string().describe('YYYY-MM');

/** One license's line of a month's usage report. */
export const usageReportRowSchema = z.object({
  month,
  licenseId: z.number().int(),
  configurationId: z.number().int(),
  customerId: z.number().int().nullable(),
  keyNumber: z.string(),
  product: z.string(),
  saas: z.boolean(),
  quota: z.number().int().nullable(),
  peak: z.number(),
  average: z.number(),
  daysReported: z.number().int(),
  daysMissing: z.number().int(),
});
assertSchemaFits<typeof usageReportRowSchema, ReportRow>();

const totals = {
  licenses: z.number().int(),
  peakUnits: z.number(),
  daysMissing: z.number().int(),
};

/** `GET /usage-reports` as JSON: a page of the month's lines, and the month's totals (of the filter, not the page). */
export const usageReportAnswerSchema = z.object({
  month,
  data: z.array(usageReportRowSchema),
  totals: z.object({
    byConfiguration: z.array(z.object({ configurationId: z.number().int(), ...totals })),
    byCustomer: z.array(z.object({ customerId: z.number().int().nullable(), ...totals })),
  }),
  nextCursor: z.string().nullable(),
});

/** Where a license's usage stands now: overuse and its grace, farm, missing reports. */
export const usageStandingSchema = z.object({
  saas: z.boolean(),
  quota: z.number().int().nullable(),
  lastPeak: z.number(),
  lastReportAt: isoTime.nullable(),
  daysMissing: z.number().int().describe('Whole days a SaaS key has not reported; 0 for others.'),
  overusedSince: isoTime.nullable(),
  graceEndsAt: isoTime.nullable(),
  farm: z.enum(['deactivated', 'reactivated']).nullable(),
  expiredAt: isoTime.nullable(),
  buyMore: z
    .object({ packs: z.number().int().optional(), units: z.number() })
    .nullable()
    .describe('While overused: what to buy to cover the last peak.'),
});
assertSchemaFits<typeof usageStandingSchema, UsageStanding>();

/** `GET /licenses/:id/usage`. */
export const licenseUsageSchema = z.object({
  licenseId: z.number().int(),
  keyNumber: z.string(),
  product: z.string(),
  customerId: z.number().int().nullable(),
  configurationId: z.number().int(),
  standing: usageStandingSchema.nullable().describe('null before any report.'),
  days: z.array(z.object({ day: z.string().describe('YYYY-MM-DD'), peak: z.number(), lastReportAt: isoTime })),
});
assertSchemaFits<typeof licenseUsageSchema, LicenseUsage>();

/** A pushed report, as taken. */
export const usageIngestOutcomeSchema = z.object({
  reportId: z.string(),
  duplicate: z.boolean().describe('The report id was taken before: nothing was recorded again.'),
  recorded: z.number().int(),
  unchanged: z.number().int(),
  unknownKeys: z.array(z.string()).describe('Keys no license of the configuration holds: ignored.'),
});
assertSchemaFits<typeof usageIngestOutcomeSchema, IngestOutcome>();

/** A new push secret, answered this once. */
export const usagePushSecretSchema = z.object({ configurationId: z.number().int(), secret: z.string() });
