import { z } from 'zod';
import { assertSchemaFits, isoTime, jsonObject } from '../../http/response-schema.js';
import { type Service, serviceStates } from './service.js';

/** A service as the API answers it, settings with secrets masked (`serviceView`). */
export const serviceSchema = z.object({
  id: z.number().int(),
  subscriptionId: z.number().int(),
  key: z.string(),
  kind: z.string(),
  provisioner: z.string(),
  state: z.enum(serviceStates),
  settings: jsonObject,
  dependsOn: z.array(z.string()),
  attempts: z.number().int(),
  nextAttemptAt: isoTime.nullable(),
  lastError: z
    .object({
      message: z.string(),
      code: z.string(),
      retryable: z.boolean(),
      status: z.number().int().optional(),
      attempt: z.number().int().optional(),
    })
    .nullable(),
  readyAt: isoTime.nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
assertSchemaFits<typeof serviceSchema, Service>();

/** What the signed callback answers: the outcome, nothing else about the service. */
export const serviceCallbackAnswerSchema = z.object({
  id: z.number().int(),
  state: z.enum(serviceStates),
  changed: z.boolean(),
});
