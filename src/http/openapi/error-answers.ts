import { z } from 'zod';
import type { ApiOperation } from './api-operation.js';

/** Every error answer: `{error: {code, message, details}}` (`errors/error-middleware.ts`). */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().describe('Stable, for programs: `not_found`, `operation_in_progress`, ...'),
    message: z.string().describe('For people.'),
    details: z.record(z.string(), z.unknown()),
  }),
});

/** A 400 for bad input names each field that is wrong, where it was sent (body, query, params, header). */
export const validationErrorBodySchema = z.object({
  error: z.object({
    code: z.string().describe('`validation_failed`; `invalid_json` for a body that is not JSON.'),
    message: z.string(),
    details: z
      .object({ fields: z.array(z.object({ field: z.string(), message: z.string() })).optional() })
      .catchall(z.unknown()),
  }),
});

/** The shared error answers, each described once in `components.responses`. */
export const errorAnswers = {
  ValidationFailed: {
    status: 400,
    description: 'Bad input: `details.fields` names each field that is wrong. Nothing was changed.',
    schema: 'ValidationError',
  },
  Unauthorized: { status: 401, description: 'No token, or one that is unknown or revoked.', schema: 'Error' },
  Forbidden: { status: 403, description: "The token's role may not do this.", schema: 'Error' },
  NotFound: {
    status: 404,
    description: 'No such entity, or one out of the caller’s reach (answered alike, so ids cannot be probed).',
    schema: 'Error',
  },
  Conflict: {
    status: 409,
    description: "The entity's state does not allow it now, or a reference was used for something else.",
    schema: 'Error',
  },
  PayloadTooLarge: { status: 413, description: 'The body is larger than the route takes.', schema: 'Error' },
  UnsupportedMediaType: {
    status: 415,
    description: 'A body of another type than the route takes (`details.accepted`).',
    schema: 'Error',
  },
  Error: {
    status: '4XX',
    description: 'Another refusal, e.g. 422 for an idempotency key reused for another request; `code` says which.',
    schema: 'Error',
  },
} as const;

type ErrorAnswerName = keyof typeof errorAnswers;

/** The error answers an operation can give, from what it takes and who may call it. */
export function errorAnswersOf(op: ApiOperation): ErrorAnswerName[] {
  const takesInput = /:\w+/.test(op.path) || op.query || op.headers || op.body || op.multipart;
  const names: Array<ErrorAnswerName | false> = [
    Boolean(takesInput) && 'ValidationFailed',
    op.roles !== 'none' && 'Unauthorized',
    Array.isArray(op.roles) && 'Forbidden',
    /:\w+/.test(op.path) && 'NotFound',
    op.method !== 'get' && 'Conflict',
    Boolean(op.body || op.multipart) && 'PayloadTooLarge',
    Boolean(op.body) && 'UnsupportedMediaType',
    'Error',
  ];
  return names.filter((n): n is ErrorAnswerName => n !== false);
}
