import { z } from 'zod';
import { actorSchema, assertSchemaFits, isoTime, jsonObject } from '../../http/response-schema.js';
import { bulkTargets } from './bulk-action.js';
import { type BulkJob, type BulkJobItem, bulkItemStates, bulkJobStates } from './bulk-job.js';

/** A bulk job as the API answers it, with its counts. */
export const bulkJobSchema = z.object({
  id: z.number().int(),
  action: z.string(),
  appliesTo: z.enum(bulkTargets),
  state: z.enum(bulkJobStates),
  filter: jsonObject.nullable().describe('The filter the selection was resolved from; null for a list of ids.'),
  parameters: jsonObject
    .nullable()
    .describe("The action's parameters (a migration's target and product map); null for none."),
  note: z.string().nullable(),
  actor: actorSchema,
  counts: z.object({
    total: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
    cancelled: z.number().int(),
    left: z.number().int().describe('Neither written nor cancelled (pending or running).'),
  }),
  createdAt: isoTime,
  updatedAt: isoTime,
  cancelledAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
});
assertSchemaFits<typeof bulkJobSchema, BulkJob>();

export const bulkJobItemSchema = z.object({
  id: z.number().int(),
  bulkJobId: z.number().int(),
  targetId: z.number().int(),
  state: z.enum(bulkItemStates),
  attempts: z.number().int(),
  resultCode: z.string().nullable(),
  result: z.string().nullable(),
  finishedAt: isoTime.nullable(),
});
assertSchemaFits<typeof bulkJobItemSchema, BulkJobItem>();
