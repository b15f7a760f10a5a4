import test from 'ava';
import { AuditStore } from '../../../src/features/audit/audit-store.js';
import { ensureFirstStaffAdmin } from '../../../src/features/auth/first-staff-admin.js';
import { verifyPassword } from '../../../src/features/auth/password-hasher.js';
import { StaffUserStore } from '../../../src/features/auth/staff-user-store.js';
import { createTestDatabase } from '../../helpers/test-database.js';

test('the first admin is created from the environment once, and never over an existing user', async (t) => {
  const database = await createTestDatabase('sqlite');
  const users = new StaffUserStore();
  const audit = new AuditStore();
  t.is(await ensureFirstStaffAdmin(database.db, users, audit, {}), 'not_configured');
  t.is(
    await ensureFirstStaffAdmin(database.db, users, audit, {
      email: 'Root@Example.com',
      password: 'first admin password',
    }),
    'created',
  );
  t.is(
    await ensureFirstStaffAdmin(database.db, users, audit, {
      email: 'other@example.com',
      password: 'another admin password',
    }),
    'exists',
  );
  const found = await users.findForSignIn(database.db, 'root@example.com');
  t.is(found?.user.role, 'admin');
  t.true(await verifyPassword('first admin password', found?.passwordHash ?? ''));
  t.is(await users.count(database.db), 1);
  const event = await database.db('audit_events').where({ action: 'staff_user.created' }).first();
  t.false(String(event.data).includes('first admin password'), 'the password is never recorded');
  await t.throwsAsync(
    () => ensureFirstStaffAdmin(database.db, users, audit, { email: 'x@example.com', password: 'short' }),
    { message: /at least 12/ },
  );
  await database.drop();
});
