import { z } from 'zod';
import { assertSchemaFits, isoTime, jsonObject } from '../../http/response-schema.js';
import { auditEventSchema } from '../audit/audit-event-schema.js';
import { type LicenseRequest, licenseRequestStates } from './license-request.js';

/** A license request as the API answers it. */
export const licenseRequestSchema = z.object({
  id: z.number().int(),
  subscriptionId: z.number().int().nullable(),
  customerId: z.number().int().nullable(),
  configurationId: z.number().int(),
  serviceId: z.number().int().nullable(),
  source: z.enum(['order', 'manual', 'migration']),
  product: z.string(),
  features: z.array(z.string()),
  quantity: z.number().int(),
  periodMonths: z.number().int().nullable(),
  state: z.enum(licenseRequestStates),
  reason: z.string().nullable(),
  lastError: jsonObject.nullable(),
  attempts: z.number().int(),
  nextAttemptAt: isoTime.nullable(),
  issueSentAt: isoTime.nullable(),
  keyCandidates: z
    .array(z.object({ keyNumber: z.string(), createdAt: z.string().optional(), reference: z.string().optional() }))
    .nullable()
    .describe('Keys the lookup after an unknown outcome could not settle between, for staff.'),
  reference: z.string().describe("Keyway's reference for this request at the KA."),
  predecessorLicenseId: z
    .number()
    .int()
    .nullable()
    .describe("A migration's request: the license its new key replaces (terminated once this one is installed)."),
  createdAt: isoTime,
  updatedAt: isoTime,
});
assertSchemaFits<typeof licenseRequestSchema, LicenseRequest>();

/** `GET /license-requests/counts`: by state, and by configuration id and state. */
export const licenseRequestCountsSchema = z.object({
  byState: z.record(z.string(), z.number().int()),
  byConfiguration: z.record(z.string(), z.record(z.string(), z.number().int())),
});

/**
 * `GET /license-requests/:id`: the request with its license (the licenses feature's schema, which
 * the root passes in: licenses are above requests) and its history.
 */
export function licenseRequestDetailsSchema(license: z.ZodType) {
  return licenseRequestSchema.extend({ license: license.nullable(), history: z.array(auditEventSchema) });
}
