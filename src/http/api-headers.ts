import type { RequestHandler } from 'express';

/**
 * Headers of every JSON API answer, errors included (set before anything can fail): answers
 * are per caller and may carry secrets (a new token, license keys), so no cache keeps them,
 * and no browser reads one as another type than it says.
 */
export const apiResponseHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  next();
};
