import { z } from 'zod';
import { assertSchemaFits, isoTime } from '../../http/response-schema.js';
import type { MailSettings } from './mail-service.js';
import type { MailMessage } from './mail-store.js';

/** A mail in the log, as the API answers it: its variables (activation codes) stay in the database. */
export const mailSchema = z.object({
  id: z.number().int(),
  outboxEventId: z.number().int().nullable(),
  eventType: z.string(),
  template: z.string(),
  to: z.array(z.string()),
  subject: z.string().nullable(),
  state: z.enum(['pending', 'sent', 'failed', 'not_sent']),
  attempts: z.number().int(),
  nextAttemptAt: isoTime.nullable(),
  serverAnswer: z.string().nullable(),
  reason: z.string().nullable().describe('Why it was not sent.'),
  createdAt: isoTime,
  sentAt: isoTime.nullable(),
});
assertSchemaFits<typeof mailSchema, Omit<MailMessage, 'variables'>>();

export const mailSettingsSchema = z.object({
  transport: z
    .string()
    .nullable()
    .describe('`smtp://user@host:port`, `catch-all`, or null when nothing is configured.'),
  from: z.string(),
  verified: z.boolean().describe('True once a test mail was accepted through this transport.'),
  lastTest: z
    .object({ to: z.string(), state: z.string(), serverAnswer: z.string().nullable(), at: isoTime })
    .nullable(),
});
assertSchemaFits<typeof mailSettingsSchema, MailSettings>();

export const mailTestAnswerSchema = z.object({
  state: z.string(),
  serverAnswer: z.string().nullable(),
  verified: z.boolean(),
});

/** A customer's extra mail recipients. */
export const mailRecipientsSchema = z.object({ customerId: z.number().int(), emails: z.array(z.string()) });
