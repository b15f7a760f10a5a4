import { parseArgs } from 'node:util';
import { createApiToken } from '../src/bootstrap/cli-accounts.js';
import { type RoleName, roles } from '../src/kernel/principal.js';
import { openCliDatabase, usageError } from './cli-database.js';

/**
 * `npm run token:create -- --role admin [--name <name>] [--customer-id <id>] [--token <value>]`:
 * an API token, printed once (stored hashed). How a lost admin token is replaced.
 */
const usage = `usage: npm run token:create -- --role ${roles.join('|')} [--name <name>] [--customer-id <id>] [--token <24+ characters>]`;
const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    name: { type: 'string' },
    'customer-id': { type: 'string' },
    token: { type: 'string' },
  },
});
const role = values.role as RoleName | undefined;
if (!role || !(roles as readonly string[]).includes(role))
  usageError(`--role must be one of: ${roles.join(', ')}`, usage);
const customerIdText = values['customer-id'];
if (customerIdText !== undefined && !/^[1-9]\d{0,15}$/.test(customerIdText))
  usageError('--customer-id must be a customer id', usage);
const customerId = customerIdText === undefined ? undefined : Number(customerIdText);

const db = await openCliDatabase();
try {
  if (customerId !== undefined && !(await db('customers').where({ id: customerId }).first()))
    usageError(`customer ${customerId} does not exist`, usage);
  const created = await createApiToken(db, {
    name: values.name ?? `${role} (token:create)`,
    role,
    customerId,
    token: values.token,
    via: 'cli',
  }).catch((err: Error) => usageError(err.message, usage));
  process.stdout.write(`API token ${created.id} (${role}) created; shown this once, never logged or shown again:\n`);
  process.stdout.write(`  TOKEN=${created.token}\n`);
} finally {
  await db.destroy();
}
