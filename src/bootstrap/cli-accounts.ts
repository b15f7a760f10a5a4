import { randomBytes } from 'node:crypto';
import { AuditStore } from '../features/audit/audit-store.js';
import type { RoleName } from '../kernel/principal.js';
import { systemActor } from '../kernel/actor.js';
import { TokenStore } from '../features/auth/token-store.js';
import type { Db } from '../infra/db/database.js';
import { transaction } from '../infra/db/transaction.js';
import { passwordProblem } from '../features/auth/password-hasher.js';
import { normalizeEmail, type StaffRole, StaffUserStore } from '../features/auth/staff-user-store.js';

/** What the command-line tools (setup, user:create, token:create) do to the database, with audit events. */

export type StaffUserOutcome =
  | { created: true; id: number; email: string; password: string; generated: boolean }
  | { created: false; email: string };

/** A staff user, unless one with this e-mail exists (then nothing changes). The password is answered once. */
export async function createStaffUser(
  db: Db,
  input: { email: string; role: StaffRole; name?: string; password?: string; via: string },
): Promise<StaffUserOutcome> {
  const password = input.password ?? randomBytes(18).toString('base64url');
  const problem = passwordProblem(password);
  if (problem) throw new Error(`the password ${problem}`);
  const users = new StaffUserStore();
  const email = normalizeEmail(input.email);
  if (await users.findForSignIn(db, email)) return { created: false, email };
  const id = await transaction(db, async (tx) => {
    const newId = await users.create(tx, { email, name: input.name, role: input.role, password });
    await new AuditStore().record(tx, {
      actor: systemActor,
      action: 'staff_user.created',
      entityType: 'staff_user',
      entityId: newId,
      data: { role: input.role, via: input.via },
    });
    return newId;
  });
  return { created: true, id, email, password, generated: input.password === undefined };
}

/** An API token, answered once (stored hashed). `token` chooses it (24+ characters), as KEYWAY_ADMIN_TOKEN does. */
export async function createApiToken(
  db: Db,
  input: { name: string; role: RoleName; customerId?: number; token?: string; via: string },
): Promise<{ id: number; token: string }> {
  if (input.token !== undefined && !/^[\x21-\x7e]{24,200}$/.test(input.token))
    throw new Error('the token must be 24 to 200 visible ASCII characters');
  if (input.role === 'customer' && input.customerId === undefined)
    throw new Error('a customer token needs --customer-id');
  const tokens = new TokenStore();
  return transaction(db, async (tx) => {
    const created = await tokens.create(tx, {
      name: input.name,
      role: input.role,
      customerId: input.customerId,
      token: input.token,
    });
    await new AuditStore().record(tx, {
      actor: systemActor,
      action: 'api_token.created',
      entityType: 'api_token',
      entityId: created.id,
      data: { role: input.role, name: input.name, via: input.via },
    });
    return created;
  });
}
