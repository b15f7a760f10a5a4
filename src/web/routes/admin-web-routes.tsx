import { type Request, type Response, Router } from 'express';
import type { AuthFeature } from '../../features/auth/auth-feature.js';
import { staffRoleSchema } from '../../features/auth/staff-admin-service.js';
import { allow, principalOf } from '../../http/access.js';
import { idParams } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import type { Db } from '../../infra/db/database.js';
import { actorOf, admins } from '../../kernel/principal.js';
import { formErrorsOf, formText } from '../form-body.js';
import { ApiTokensPage, type ApiTokensPageProps } from '../pages/api-tokens-page.js';
import { StaffUsersPage, type StaffUsersPageProps } from '../pages/staff-users-page.js';
import { sendPage } from '../render.js';
import { viewContext } from '../view-context.js';

const listLimit = 500;

/** Admin pages: API tokens and staff users, every change through the auth feature's service and audited. */
export function adminWebRoutes(deps: { db: Db; auth: Pick<AuthFeature, 'tokens' | 'users' | 'staffAdmin'> }): Router {
  const router = Router();
  const { db, auth } = deps;
  router.use('/admin', allow(...admins));

  const showTokens = async (req: Request, res: Response, extra: Partial<ApiTokensPageProps> = {}, status = 200) =>
    sendPage(
      res,
      <ApiTokensPage ctx={viewContext(req)} tokens={await auth.tokens.list(db, listLimit)} {...extra} />,
      status,
    );
  const showUsers = async (req: Request, res: Response, extra: Partial<StaffUsersPageProps> = {}, status = 200) =>
    sendPage(
      res,
      <StaffUsersPage ctx={viewContext(req)} users={await auth.users.list(db, listLimit)} {...extra} />,
      status,
    );

  /** A refusal shown next to the form; anything not a client error goes on to the error page. */
  const refused = (err: unknown) => {
    const shown = formErrorsOf(err);
    if (!shown) throw err;
    return { ...shown, status: (err as { status: number }).status };
  };

  router.get('/admin/api-tokens', (req, res) => showTokens(req, res));
  router.post('/admin/api-tokens', async (req, res) => {
    const form = {
      name: formText(req.body, 'name'),
      role: formText(req.body, 'role'),
      customerId: formText(req.body, 'customerId').trim(),
    };
    try {
      const created = await auth.staffAdmin.createToken(
        { name: form.name, role: form.role, customerId: form.customerId ? Number(form.customerId) : undefined },
        actorOf(principalOf(req)),
      );
      // The value is in this answer only: no redirect, so it is never in a URL or history.
      await showTokens(req, res, { created: { id: created.id, name: form.name.trim(), token: created.token } }, 201);
    } catch (err) {
      const { errors, problem, status } = refused(err);
      await showTokens(req, res, { form, errors, problem }, status);
    }
  });
  router.post('/admin/api-tokens/:id/revoke', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const revoked = await auth.staffAdmin.revokeToken(id, actorOf(principalOf(req)));
    await showTokens(req, res, { notice: revoked ? 'The token is revoked.' : 'The token was already revoked.' });
  });

  const staffNotices: Record<string, string> = {
    created: 'The staff user is created.',
    role: 'The role is changed.',
    disable: 'The staff user is disabled: they are signed out and cannot sign in.',
    enable: 'The staff user can sign in again.',
  };
  router.get('/admin/staff', (req, res) =>
    showUsers(req, res, { notice: typeof req.query.done === 'string' ? staffNotices[req.query.done] : undefined }),
  );
  router.post('/admin/staff', async (req, res) => {
    const form = {
      email: formText(req.body, 'email').trim(),
      name: formText(req.body, 'name'),
      role: formText(req.body, 'role'),
    };
    try {
      await auth.staffAdmin.createUser(
        { ...form, name: form.name || undefined, password: formText(req.body, 'password') },
        actorOf(principalOf(req)),
      );
      res.redirect(303, '/admin/staff?done=created');
    } catch (err) {
      const { errors, problem, status } = refused(err);
      await showUsers(req, res, { form, errors, problem }, status);
    }
  });
  router.post('/admin/staff/:id/role', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const { role } = validate(staffRoleSchema, { role: formText(req.body, 'role') });
    try {
      await auth.staffAdmin.changeRole(id, role, actorOf(principalOf(req)));
      res.redirect(303, '/admin/staff?done=role');
    } catch (err) {
      const { problem, status } = refused(err);
      await showUsers(req, res, { problem }, status);
    }
  });
  for (const action of ['disable', 'enable'] as const) {
    router.post(`/admin/staff/:id/${action}`, async (req, res) => {
      const { id } = validate(idParams, req.params, 'params');
      try {
        await auth.staffAdmin.setDisabled(id, action === 'disable', actorOf(principalOf(req)));
        res.redirect(303, `/admin/staff?done=${action}`);
      } catch (err) {
        const { problem, status } = refused(err);
        await showUsers(req, res, { problem }, status);
      }
    });
  }
  return router;
}
