import type { Request } from 'express';
import type { RoleName } from '../kernel/principal.js';
import { may } from '../kernel/permissions.js';

/** What every page needs to know about the request: who is signed in and their form token. */
export interface ViewContext {
  user?: { name: string; role: RoleName };
  csrfToken: string;
  /** Path and query of the page, for links back to it. */
  url: string;
  /** What the header's search box shows: the term on the results page. */
  searchTerm?: string;
}

export function viewContext(req: Request): ViewContext {
  const session = req.staffSession;
  return {
    user: session ? { name: session.name, role: session.role } : undefined,
    csrfToken: session?.csrfToken ?? '',
    url: req.originalUrl,
  };
}

/** Operators (and admins) act on license work; the console hides what a role may not do. */
export function canOperate(ctx: ViewContext): boolean {
  return may(ctx.user?.role, 'actOnLicense');
}

/** Admins change configuration. */
export function canConfigure(ctx: ViewContext): boolean {
  return may(ctx.user?.role, 'configureKa');
}
