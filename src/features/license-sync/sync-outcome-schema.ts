import { z } from 'zod';
import { assertSchemaFits } from '../../http/response-schema.js';
import { licenseDetailsSchema, syncDifferenceSchema } from '../licenses/license-schema.js';
import { syncStates } from '../licenses/license-sync-state.js';
import type { SyncOutcome } from './license-sync-service.js';
import type { PushStep } from './sync-resolution.js';

/** One field of a push: what was done at the KA (or in Keyway), or why it was left. */
export const pushStepSchema = z.object({
  field: z.enum([...syncDifferenceSchema.shape.field.options, 'file']),
  done: z.string().optional(),
  left: z.string().optional(),
});
assertSchemaFits<typeof pushStepSchema, PushStep>();

/** How a sync or a resolution ended. */
export const syncOutcomeSchema = z.object({
  result: z.enum([...syncStates, 'busy', 'not_supported']),
  applied: z
    .array(syncDifferenceSchema)
    .describe('What Keyway took from the KA by itself (terminated, renewed, a new file asked for).'),
  differences: z.array(syncDifferenceSchema),
  message: z.string().optional(),
  pushed: z.array(pushStepSchema).optional().describe('`push_keyway`: what became of each field.'),
});
assertSchemaFits<typeof syncOutcomeSchema, SyncOutcome & { pushed?: PushStep[] }>();

/** A sync's or a resolution's answer: the license as `GET /licenses/:id` answers it, and the outcome. */
export const licenseSyncAnswerSchema = licenseDetailsSchema.extend({ syncOutcome: syncOutcomeSchema });
