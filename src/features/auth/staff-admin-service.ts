import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Actor } from '../../kernel/actor.js';
import { staffRoles } from '../../kernel/principal.js';
import type { AuditWriter } from '../audit/audit-store.js';
import { passwordProblem } from './password-hasher.js';
import type { StaffRole, StaffUserStore } from './staff-user-store.js';
import { createTokenSchema } from './token-routes.js';
import type { TokenStore } from './token-store.js';

export const createStaffUserSchema = z
  .object({
    email: z.email('Enter an e-mail address.').max(320),
    name: z.string().trim().max(200).optional(),
    role: z.enum(staffRoles),
    password: z.string().max(200),
  })
  .superRefine((input, ctx) => {
    const problem = passwordProblem(input.password);
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: `The password ${problem}.` });
  });

export const staffRoleSchema = z.object({ role: z.enum(staffRoles) });

/**
 * What admins do to API tokens and staff users: each change is a guarded update with its audit
 * event in one transaction. The last admin who can sign in is never disabled or demoted.
 */
export class StaffAdminService {
  constructor(
    private readonly deps: {
      db: Db;
      tokens: TokenStore;
      users: StaffUserStore;
      audit: AuditWriter;
      customerExists(id: number): Promise<boolean>;
    },
  ) {}

  /** A new token; its plain value is in this answer only. */
  async createToken(input: unknown, actor: Actor): Promise<{ id: number; token: string }> {
    const parsed = createTokenSchema.safeParse(input);
    if (!parsed.success)
      throw ValidationError.forFields(
        parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'name'), message: i.message })),
      );
    const t = parsed.data;
    if (t.role === 'customer' && t.customerId === undefined)
      throw ValidationError.forFields([{ field: 'customerId', message: 'A customer token needs its customer.' }]);
    if (t.customerId !== undefined && !(await this.deps.customerExists(t.customerId)))
      throw ValidationError.forFields([{ field: 'customerId', message: 'There is no such customer.' }]);
    return transaction(this.deps.db, async (tx) => {
      const created = await this.deps.tokens.create(tx, t);
      await this.deps.audit.record(tx, {
        actor,
        action: 'api_token.created',
        entityType: 'api_token',
        entityId: created.id,
        data: { name: t.name, role: t.role, ...(t.customerId ? { customerId: t.customerId } : {}) },
      });
      return created;
    });
  }

  /** Revokes a token; revoking one already revoked changes nothing and records nothing. */
  async revokeToken(id: number, actor: Actor): Promise<boolean> {
    return transaction(this.deps.db, async (tx) => {
      const revoked = await this.deps.tokens.revoke(tx, id, Date.now());
      if (revoked)
        await this.deps.audit.record(tx, { actor, action: 'api_token.revoked', entityType: 'api_token', entityId: id });
      return revoked;
    });
  }

  async createUser(input: unknown, actor: Actor): Promise<number> {
    const parsed = createStaffUserSchema.safeParse(input);
    if (!parsed.success)
      throw ValidationError.forFields(
        parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'email'), message: i.message })),
      );
    const u = parsed.data;
    return transaction(this.deps.db, async (tx) => {
      if (await this.deps.users.getByEmail(tx, u.email))
        throw new ConflictError('A staff user with this e-mail exists.', 'conflict', { details: { field: 'email' } });
      const id = await this.deps.users.create(tx, u);
      await this.deps.audit.record(tx, {
        actor,
        action: 'staff_user.created',
        entityType: 'staff_user',
        entityId: id,
        data: { email: u.email.toLowerCase(), role: u.role },
      });
      return id;
    });
  }

  async changeRole(id: number, role: StaffRole, actor: Actor): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const user = await this.deps.users.get(tx, id);
      if (!user) throw new NotFoundError('staff user', id);
      if (user.role === role) return;
      if (user.role === 'admin' && !user.disabled && (await this.deps.users.activeAdmins(tx)) <= 1)
        throw new ConflictError('The last admin stays an admin: make another admin first.');
      if (await this.deps.users.changeRole(tx, id, user.role, role))
        await this.deps.audit.record(tx, {
          actor,
          action: 'staff_user.role_changed',
          entityType: 'staff_user',
          entityId: id,
          data: { from: user.role, to: role },
        });
    });
  }

  /** Disables or enables sign-in; a disabled user's sessions stop at their next request. */
  async setDisabled(id: number, disabled: boolean, actor: Actor): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const user = await this.deps.users.get(tx, id);
      if (!user) throw new NotFoundError('staff user', id);
      if (disabled && user.role === 'admin' && !user.disabled && (await this.deps.users.activeAdmins(tx)) <= 1)
        throw new ConflictError('The last admin cannot be disabled: make another admin first.');
      if (await this.deps.users.setDisabled(tx, id, disabled))
        await this.deps.audit.record(tx, {
          actor,
          action: disabled ? 'staff_user.disabled' : 'staff_user.enabled',
          entityType: 'staff_user',
          entityId: id,
        });
    });
  }
}
