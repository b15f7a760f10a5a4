import type { RequestHandler } from 'express';
import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import type { AuditStore } from '../audit/audit-store.js';
import { authenticate } from './auth-middleware.js';
import { SessionStore } from './session-store.js';
import { StaffAdminService } from './staff-admin-service.js';
import { SignInLimiter } from './sign-in-limiter.js';
import { StaffUserStore } from './staff-user-store.js';
import { tokenRoutes } from './token-routes.js';
import type { TokenStore } from './token-store.js';

export interface AuthFeature {
  tokens: TokenStore;
  /** Bearer-token authentication of the JSON API. */
  authenticate: RequestHandler;
  /** The API token routes. */
  routes: DeclaredRouter;
  /** Staff users, their sessions and the sign-in limiter (the console signs in through them). */
  users: StaffUserStore;
  sessions: SessionStore;
  limiter: SignInLimiter;
  /** Admins' work on tokens and staff users (the console's admin pages). */
  staffAdmin: StaffAdminService;
}

/** API tokens and staff users. `customerExists` is the customers feature's, passed in by the root. */
export function createAuthFeature(deps: {
  db: Db;
  tokens: TokenStore;
  audit: AuditStore;
  customerExists(id: number): Promise<boolean>;
}): AuthFeature {
  const users = new StaffUserStore();
  return {
    tokens: deps.tokens,
    authenticate: authenticate(deps.db, deps.tokens),
    routes: tokenRoutes(deps),
    users,
    staffAdmin: new StaffAdminService({ ...deps, users }),
    sessions: new SessionStore(),
    limiter: new SignInLimiter(),
  };
}
