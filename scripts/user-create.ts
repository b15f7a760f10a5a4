import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { systemActor } from '../src/kernel/actor.js';
import { AuditStore } from '../src/features/audit/audit-store.js';
import { staffRoles } from '../src/kernel/principal.js';
import { createDatabase } from '../src/infra/db/database.js';
import { migrateLatest } from '../src/infra/db/migrator.js';
import { passwordProblem } from '../src/features/auth/password-hasher.js';
import { normalizeEmail, type StaffRole, StaffUserStore } from '../src/features/auth/staff-user-store.js';
import { transaction } from '../src/infra/db/transaction.js';

/**
 * `npm run user:create -- --email ada@example.com --role admin [--name "Ada"] [--password ...]`
 * Creates a staff user of the console. Without --password one is generated and printed once.
 */
const usage =
  'usage: npm run user:create -- --email <email> --role admin|operator|viewer [--name <name>] [--password <password>]';
const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
    password: { type: 'string' },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(64);
}

const email = values.email?.trim();
if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) fail('--email is required and must be an email address');
const role = values.role as StaffRole | undefined;
if (!role || !(staffRoles as readonly string[]).includes(role)) fail(`--role must be one of: ${staffRoles.join(', ')}`);
const generated = values.password === undefined;
const password = values.password ?? randomBytes(18).toString('base64url');
const problem = passwordProblem(password);
if (problem) fail(`--password ${problem}`);

const config = loadConfig(process.env);
const db = createDatabase(config.databaseUrl);
try {
  if (config.migrateOnStart) await migrateLatest(db);
  const users = new StaffUserStore();
  if (await users.findForSignIn(db, email)) fail(`a staff user with email ${email} already exists`);
  const id = await transaction(db, async (tx) => {
    const newId = await users.create(tx, { email, name: values.name, role, password });
    await new AuditStore().record(tx, {
      actor: systemActor,
      action: 'staff_user.created',
      entityType: 'staff_user',
      entityId: newId,
      data: { role, via: 'cli' },
    });
    return newId;
  });
  process.stdout.write(`created staff user ${id} (${normalizeEmail(email)}, ${role})\n`);
  if (generated) process.stdout.write(`password (shown once, store it now): ${password}\n`);
} finally {
  await db.destroy();
}
