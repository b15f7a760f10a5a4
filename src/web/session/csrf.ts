import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ForbiddenError } from '../../errors/app-error.js';

/** The form field every console form carries. */
export const csrfField = '_csrf';

/** Constant-time equality of two tokens; false when either is missing. */
export function tokensMatch(expected: string | undefined, given: unknown): boolean {
  if (!expected || typeof given !== 'string' || given.length === 0) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class CsrfError extends ForbiddenError {
  constructor() {
    super(
      'This form did not come from your console session (its security token is missing or stale). Reload the page and try again.',
      {
        details: { reason: 'csrf' },
      },
    );
  }
}

function submittedToken(body: unknown, header: string | undefined): unknown {
  if (body && typeof body === 'object' && csrfField in body) return (body as Record<string, unknown>)[csrfField];
  return header;
}

/**
 * Synchronizer-token check for a signed-in request: the form's token must equal its session's.
 * Runs after the body is parsed (for multipart routes, after the upload is parsed in memory and
 * before anything is stored).
 */
export const requireCsrf: RequestHandler = (req, _res, next) => {
  if (!tokensMatch(req.staffSession?.csrfToken, submittedToken(req.body, req.get('x-csrf-token'))))
    throw new CsrfError();
  next();
};

/**
 * Every unsafe method is checked. Multipart upload routes are mounted before this with their
 * own parse-then-check chain; any other multipart POST reaches this unparsed and is refused.
 */
export const csrfForUnsafeMethods: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  requireCsrf(req, res, next);
};
