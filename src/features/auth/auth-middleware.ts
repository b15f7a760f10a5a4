import type { RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { Principal, RoleName } from './principal.js';
import type { TokenStore } from './token-store.js';

declare global {
  namespace Express {
    interface Request {
      principal?: Principal;
    }
  }
}

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

export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new UnauthorizedError('Not signed in');
  return req.principal;
}

/** What `allow(...)` leaves on its handler, so a route's roles can be read back (the API document's check). */
export interface RoleGuard {
  allowedRoles: readonly RoleName[];
}

/** Allows the request only for the given roles. */
export function allow(...allowed: RoleName[]): RequestHandler & RoleGuard {
  const guard: RequestHandler = (req, _res, next) => {
    const principal = principalOf(req);
    if (!allowed.includes(principal.role)) {
      throw new ForbiddenError(`Role ${principal.role} may not do this; it needs one of: ${allowed.join(', ')}`, {
        details: { role: principal.role, allowed },
      });
    }
    next();
  };
  return Object.assign(guard, { allowedRoles: allowed });
}
