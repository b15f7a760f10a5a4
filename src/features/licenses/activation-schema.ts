import { z } from 'zod';
import { assertSchemaFits, isoTime, jsonObject } from '../../http/response-schema.js';
import type { LicenseActivation } from './activation-store.js';
import type { ActivationList } from './activations.js';

/** One farm of a license at its KA, with Keyway's note. */
export const licenseActivationSchema = z.object({
  activationKey: z.string(),
  farmName: z.string().nullable(),
  status: z.enum(['active', 'deactivated']),
  serverId: z.string().nullable(),
  appVersion: z.string().nullable(),
  activatedAt: isoTime.nullable(),
  lastReportAt: isoTime.nullable(),
  peakUsage: z.number().nullable(),
  movesUsed: z.number().int().nullable(),
  movesLeft: z.number().int().nullable(),
  note: z.string().nullable().describe('The note Keyway keeps for this farm.'),
  readAt: isoTime.describe('When Keyway read this from the KA.'),
});
assertSchemaFits<typeof licenseActivationSchema, LicenseActivation>();

/** A license's farms as last read, and whether that reading is the last good one. */
export const activationListSchema = z.object({
  data: z.array(licenseActivationSchema),
  readAt: isoTime.nullable().describe('When the farms were read from the KA; null: never.'),
  stale: z.boolean().describe('True when the KA could not be read now and `data` is the last reading.'),
  error: jsonObject.optional().describe('Why the KA could not be read now.'),
  active: z.number().int().describe('Activations that are active now.'),
});
assertSchemaFits<typeof activationListSchema, ActivationList>();
