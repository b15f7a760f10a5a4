import { z } from 'zod';
import { actorSchema, assertSchemaFits, isoTime, jsonObject } from '../../http/response-schema.js';
import type { AuditEvent } from './audit-event.js';

/** An audit event as the API answers it (the audit log, an entity's history). */
export const auditEventSchema = z.object({
  id: z.number().int(),
  at: isoTime,
  actor: actorSchema,
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  data: jsonObject.nullable(),
  error: jsonObject.nullable(),
});
assertSchemaFits<typeof auditEventSchema, AuditEvent>();
