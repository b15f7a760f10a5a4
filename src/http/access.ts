import type { RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../errors/app-error.js';
import type { Principal, RoleName } from '../kernel/principal.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by bearer authentication (API) or the staff session (console). */
      principal?: Principal;
    }
  }
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
