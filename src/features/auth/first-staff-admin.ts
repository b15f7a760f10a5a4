import { systemActor } from '../../kernel/actor.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { Db } from '../../infra/db/database.js';
import { passwordProblem } from '../../features/auth/password-hasher.js';
import type { StaffUserStore } from '../../features/auth/staff-user-store.js';
import { transaction } from '../../infra/db/transaction.js';

/**
 * First start: with no staff user yet and KEYWAY_ADMIN_EMAIL/KEYWAY_ADMIN_PASSWORD set, create
 * that admin. Otherwise nothing (an admin is then made with `npm run user:create`).
 * Answers what it did, for one log line; never the password.
 */
export async function ensureFirstStaffAdmin(
  db: Db,
  users: StaffUserStore,
  audit: AuditStore,
  admin: { email?: string; password?: string },
): Promise<'created' | 'exists' | 'not_configured'> {
  if (!admin.email || !admin.password) return 'not_configured';
  const problem = passwordProblem(admin.password);
  if (problem) throw new Error(`KEYWAY_ADMIN_PASSWORD ${problem}`);
  return transaction(db, async (tx) => {
    if ((await users.count(tx)) > 0) return 'exists';
    const id = await users.create(tx, {
      email: admin.email as string,
      role: 'admin',
      password: admin.password as string,
    });
    await audit.record(tx, {
      actor: systemActor,
      action: 'staff_user.created',
      entityType: 'staff_user',
      entityId: id,
      data: { role: 'admin', firstStart: true },
    });
    return 'created';
  });
}
