import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { TokenStore } from './token-store.js';

/** Bearer-token authentication for the JSON API. A principal set earlier (a session) is kept. */
export function authenticate(db: Db, tokens: TokenStore): RequestHandler {
  return async (req, _res, next) => {
    if (req.principal) return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new UnauthorizedError('A bearer token is required (Authorization: Bearer <token>)');
    const principal = await tokens.findPrincipal(db, match[1]);
    if (!principal) throw new UnauthorizedError('The bearer token is not valid');
    req.principal = principal;
    next();
  };
}
