import { z } from 'zod';
import { actorSchema, assertSchemaFits, isoTime, jsonObject } from '../../http/response-schema.js';
import { auditEventSchema } from '../audit/audit-event-schema.js';
import { licenseRequestSchema } from '../license-requests/license-request-schema.js';
import { subscriptionSchema } from '../subscriptions/subscription-schema.js';
import type { LicenseOperationView } from './license-operation-store.js';
import { licensePhases } from './license-phase.js';
import type { WithPhase } from './license-phase-of.js';
import type { LicenseDetails, LicenseTab } from './license-query-service.js';
import type { License, LicenseFileSummary, LicenseStatus, LicenseSummary } from './license.js';
import type { WorkedOperationView } from './worked-operation-service.js';
import { type SyncDifference, syncStates } from './license-sync-state.js';

const statuses = [
  'issued',
  'files_retrieved',
  'installed',
  'suspended',
  'terminated',
] as const satisfies LicenseStatus[];

export const licenseFileSchema = z.object({
  id: z.number().int(),
  keyNumber: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  revision: z.string().nullable(),
  createdAt: isoTime,
});
assertSchemaFits<typeof licenseFileSchema, LicenseFileSummary>();

/** One fact the KA and Keyway disagree on: what each says. */
export const syncDifferenceSchema = z.object({
  field: z.enum(['status', 'keyExpiresAt', 'updatesUntil', 'features', 'additionalKeyNumbers', 'revision']),
  ka: z.union([z.string(), z.array(z.string()), z.null()]),
  keyway: z.union([z.string(), z.array(z.string()), z.null()]),
});
assertSchemaFits<typeof syncDifferenceSchema, SyncDifference>();

/** A license without its files, as lists and a subscription's details show it. */
export const licenseSummarySchema = z.object({
  id: z.number().int(),
  requestId: z.number().int().nullable(),
  configurationId: z.number().int(),
  subscriptionId: z.number().int().nullable(),
  customerId: z.number().int().nullable(),
  keyNumber: z.string(),
  fullKeyNumber: z.string().nullable(),
  productKey: z.string().nullable(),
  product: z.string(),
  features: z.array(z.string()),
  additionalKeyNumbers: z.array(z.string()),
  status: z.enum(statuses),
  source: z.enum(['online', 'upload']),
  expiresAt: isoTime.nullable(),
  updatesUntil: isoTime.nullable(),
  installedAt: isoTime.nullable(),
  createdAt: isoTime,
  startsAt: isoTime.nullable().describe('Start of the term (as the KA says; else when the key was made).'),
  termKind: z.enum(['term', 'lease']).nullable().describe('Fixed term or lease; null when the KA does not say.'),
  periodMonths: z.number().int().nullable(),
  keyExpiresAt: isoTime
    .nullable()
    .describe("The key's own expiry at the KA: for a lease, the end of the current lease period."),
  revision: z.string().nullable(),
  refreshDueAt: isoTime.nullable(),
  suspendedInKeywayOnly: z.boolean().describe('Its KA plugin cannot suspend keys: the key still works at the KA.'),
  sync: z
    .object({
      state: z.enum(syncStates).nullable().describe('null: never synced'),
      lastSyncedAt: isoTime.nullable(),
      differences: z.array(syncDifferenceSchema),
      error: z.string().optional(),
    })
    .describe('How the license stood against its KA at its last sync.'),
  quota: z.number().int().nullable().describe("The key's quota in `quotaUnit`, as the KA answered it."),
  quotaUnit: z.string().nullable(),
  quotaReserved: z
    .number()
    .int()
    .nullable()
    .describe('Primary keys: how much of `quota` their additional keys reserve.'),
  keyType: z.enum(['primary', 'additional']).nullable(),
  parentLicenseId: z.number().int().nullable(),
  keyName: z.string().nullable(),
  renewsWithSubscription: z.boolean().nullable(),
  decreasesUsed: z.number().int(),
  predecessorLicenseId: z.number().int().nullable().describe('The license this one replaced (a migration).'),
  successorLicenseId: z.number().int().nullable().describe('The license that replaced this one (a migration).'),
});
assertSchemaFits<typeof licenseSummarySchema, LicenseSummary>();

export const licenseSchema = licenseSummarySchema.extend({ files: z.array(licenseFileSchema) });
assertSchemaFits<typeof licenseSchema, License>();

const phase = {
  phase: z
    .enum(licensePhases)
    .nullable()
    .describe("The phase the license's dates give now; null for a terminated key."),
};

/** A license as lists answer it: with its phase. */
export const licenseListItemSchema = licenseSummarySchema.extend(phase);
assertSchemaFits<typeof licenseListItemSchema, WithPhase<LicenseSummary>>();

/** An action on a license's key, as the API shows it. */
export const licenseOperationSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  state: z.enum(['in_progress', 'outcome_unknown', 'succeeded', 'failed', 'pending', 'needs_manual', 'cancelled']),
  held: z.boolean().describe('True while a process holds it: actions wait for it.'),
  reference: z.string(),
  attempts: z.number().int(),
  lastError: jsonObject.nullable(),
  result: jsonObject.nullable(),
  actor: actorSchema,
  startedAt: isoTime,
  leaseUntil: isoTime.nullable(),
  closedAt: isoTime.nullable(),
  reason: z.string().nullable().optional(),
  cause: z.object({ type: z.string(), id: z.number().int() }).nullable().optional(),
  nextAttemptAt: isoTime.nullable().optional(),
});
assertSchemaFits<typeof licenseOperationSchema, LicenseOperationView>();

/** A worker-run license operation (renew, terminate, suspend, resume), with its license. */
export const workedOperationSchema = licenseOperationSchema.extend({ licenseId: z.number().int() });
assertSchemaFits<typeof workedOperationSchema, WorkedOperationView>();

/** One license with everything staff look at. */
export const licenseDetailsSchema = licenseSchema.extend({
  ...phase,
  request: licenseRequestSchema.nullable(),
  subscription: subscriptionSchema.nullable(),
  openOperation: licenseOperationSchema.nullable().describe('The action on the key that is open, if any.'),
  additionalKeys: z.array(licenseSummarySchema).describe("A primary's additional keys, oldest first."),
  history: z.array(auditEventSchema).describe('Events of the license and of its request, oldest first.'),
  migrations: z
    .array(jsonObject)
    .describe('Its migrations to another KA configuration (as the old or the new license), newest first.'),
});
assertSchemaFits<typeof licenseDetailsSchema, LicenseDetails>();

/** One tab of the license lists: a KA configuration and its licenses counted by status. */
export const licenseTabSchema = z.object({
  configurationId: z.number().int(),
  name: z.string(),
  plugin: z.string(),
  pluginStatus: z.enum(['available', 'missing']),
  enabled: z.boolean(),
  counts: z.object(
    Object.fromEntries(statuses.map((s) => [s, z.number().int()])) as Record<LicenseStatus, z.ZodNumber>,
  ),
  total: z.number().int(),
  phaseCounts: z.object({ expiring: z.number().int(), grace: z.number().int() }),
  notInSync: z.number().int().describe('Licenses whose last sync found them not in sync with the KA.'),
  countsAsOf: isoTime.optional().describe('Set when the counts are a recent count reused, not taken just now.'),
});
assertSchemaFits<typeof licenseTabSchema, LicenseTab>();
