import { randomBytes } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import type { AuditStore } from '../../features/audit/audit-store.js';
import type { Db } from '../../infra/db/database.js';
import type { FieldErrors } from '../components/form-fields.js';
import { SignInPage } from '../pages/sign-in-page.js';
import { queryString, sendPage } from '../render.js';
import { parseCookies, serializeCookie, sessionCookie, signInCsrfCookie } from '../session/cookies.js';
import { CsrfError, csrfField, requireCsrf, tokensMatch } from '../session/csrf.js';
import { decoyHash, verifyPassword } from '../../features/auth/password-hasher.js';
import { safeNext } from '../session/session-middleware.js';
import type { SessionStore } from '../../features/auth/session-store.js';
import type { SignInLimiter } from '../../features/auth/sign-in-limiter.js';
import type { StaffUserStore } from '../../features/auth/staff-user-store.js';
import { viewContext } from '../view-context.js';

export interface AuthWebDeps {
  db: Db;
  users: StaffUserStore;
  sessions: SessionStore;
  limiter: SignInLimiter;
  audit: AuditStore;
}

function field(body: unknown, name: string): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/** Sign in and sign out. The sign-in form has no session yet, so it uses a double-submit cookie token. */
export function authWebRoutes(deps: AuthWebDeps): Router {
  const router = Router();

  const showForm = (
    req: Request,
    res: Response,
    status: number,
    extra: { email?: string; next?: string; errors?: FieldErrors; problem?: string; signedOut?: boolean },
  ) => {
    // Reuse the browser's token: a second tab (or a favicon fetch redirected here) must not
    // invalidate a sign-in form already on screen.
    const existing = parseCookies(req.get('cookie')).get(signInCsrfCookie);
    const formToken = existing && /^[\w-]{32}$/.test(existing) ? existing : randomBytes(24).toString('base64url');
    res.append(
      'set-cookie',
      serializeCookie(signInCsrfCookie, formToken, { secure: req.secure, maxAgeSeconds: 60 * 60 }),
    );
    sendPage(
      res,
      <SignInPage ctx={viewContext(req)} formToken={formToken} next={extra.next ?? '/'} {...extra} />,
      status,
    );
  };

  router.get('/sign-in', (req, res) => {
    const next = safeNext(queryString(req.query.next));
    if (req.staffSession) return res.redirect(303, next);
    showForm(req, res, 200, { next, signedOut: req.query.signedOut === '1' });
  });

  router.post('/sign-in', async (req, res) => {
    if (!tokensMatch(parseCookies(req.get('cookie')).get(signInCsrfCookie), field(req.body, csrfField)))
      throw new CsrfError();
    const email = field(req.body, 'email').trim();
    const password = field(req.body, 'password');
    const next = safeNext(field(req.body, 'next'));
    const errors: FieldErrors = {};
    if (!email) errors.email = 'Enter your email address.';
    else if (email.length > 320) errors.email = 'That is not an email address.';
    if (!password) errors.password = 'Enter your password.';
    if (Object.keys(errors).length) return showForm(req, res, 400, { email, next, errors });

    const ip = req.ip ?? 'unknown';
    const waitMs = await deps.limiter.retryAfterMs(deps.db, email, ip);
    if (waitMs > 0) {
      const minutes = Math.ceil(waitMs / 60_000);
      res.setHeader('retry-after', String(Math.ceil(waitMs / 1000)));
      return showForm(req, res, 429, {
        email,
        next,
        problem: `Too many failed sign-ins from your address. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      });
    }

    const found = await deps.users.findForSignIn(deps.db, email);
    // The decoy keeps an unknown email as slow as a wrong password.
    const passwordOk = await verifyPassword(password, found?.passwordHash ?? (await decoyHash()));
    if (!found || !passwordOk || found.user.disabled) {
      await deps.limiter.recordFailure(deps.db, email, ip);
      return showForm(req, res, 401, { email, next, problem: 'The email or password is not right.' });
    }
    await deps.limiter.clear(deps.db, email, ip);
    const session = await deps.sessions.create(deps.db, found.user.id);
    await deps.audit.record(deps.db, {
      actor: { type: 'staff', id: `staff:${found.user.id}`, name: found.user.name },
      action: 'staff.signed_in',
      entityType: 'staff_user',
      entityId: found.user.id,
    });
    res.append(
      'set-cookie',
      serializeCookie(sessionCookie, session.id, { secure: req.secure, maxAgeSeconds: deps.sessions.ttlMs / 1000 }),
    );
    res.append('set-cookie', serializeCookie(signInCsrfCookie, '', { secure: req.secure, maxAgeSeconds: 0 }));
    res.redirect(303, next);
  });

  router.post('/sign-out', requireCsrf, async (req, res) => {
    const session = req.staffSession;
    if (session) {
      await deps.sessions.delete(deps.db, session.id);
      await deps.audit.record(deps.db, {
        actor: { type: 'staff', id: `staff:${session.userId}`, name: session.name },
        action: 'staff.signed_out',
        entityType: 'staff_user',
        entityId: session.userId,
      });
    }
    res.append('set-cookie', serializeCookie(sessionCookie, '', { secure: req.secure, maxAgeSeconds: 0 }));
    res.redirect(303, '/sign-in?signedOut=1');
  });

  return router;
}
