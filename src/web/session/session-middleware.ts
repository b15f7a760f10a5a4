import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { parseCookies, serializeCookie, sessionCookie } from './cookies.js';
import type { SessionStore, StaffSession } from '../../features/auth/session-store.js';

/** The session of the request, with the cookie value it was found by. */
export interface LoadedSession extends StaffSession {
  id: string;
}

declare global {
  namespace Express {
    interface Request {
      staffSession?: LoadedSession;
    }
  }
}

/**
 * Reads the session cookie and, for a live session, sets `req.principal` (the same Principal
 * the API uses, so `allow(...)` guards console routes too) and `req.staffSession`.
 */
export function loadSession(db: Db, sessions: SessionStore): RequestHandler {
  return async (req, res, next) => {
    const id = parseCookies(req.get('cookie')).get(sessionCookie);
    if (id) {
      const session = await sessions.find(db, id);
      if (session) {
        req.staffSession = { ...session, id };
        req.principal = { kind: 'staff', id: session.userId, name: session.name, role: session.role };
        const renewed = await sessions.touch(db, id, session);
        if (renewed)
          res.append(
            'set-cookie',
            serializeCookie(sessionCookie, id, { secure: req.secure, maxAgeSeconds: sessions.ttlMs / 1000 }),
          );
      }
    }
    next();
  };
}

/** Pages need a signed-in user: a GET goes to the sign-in page and comes back after. */
export const requireSignIn: RequestHandler = (req, res, next) => {
  if (req.staffSession) return next();
  if (req.method === 'GET' || req.method === 'HEAD') {
    res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  throw new UnauthorizedError('You are not signed in (or your session ended). Sign in and try again.');
};

/** Only same-site paths are followed after sign-in: never an open redirect. */
export function safeNext(next: unknown): string {
  if (
    typeof next !== 'string' ||
    !next.startsWith('/') ||
    next.startsWith('//') ||
    next.startsWith('/\\') ||
    next.length > 500
  )
    return '/';
  return /^[\w\-./?=&%+~:,]*$/.test(next) ? next : '/';
}
