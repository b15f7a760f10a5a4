import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createApiToken, createStaffUser } from '../src/bootstrap/cli-accounts.js';
import { openCliDatabase, usageError } from './cli-database.js';

/**
 * `npm run setup`: the first staff admin of the console and an admin API token, each shown
 * once. In a terminal it asks for what the flags do not give; otherwise (CI, a pipe) it never
 * reads stdin and takes the defaults: admin@example.com and a generated password.
 */
const usage =
  'usage: npm run setup -- [--email <email>] [--password <password>] [--token <24+ characters>] [--no-token]';
const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    password: { type: 'string' },
    token: { type: 'string' },
    'no-token': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

let email = values.email;
let password = values.password;
if (process.stdin.isTTY && (email === undefined || password === undefined)) {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  email ??= (await rl.question('Staff admin e-mail [admin@example.com]: ')).trim() || undefined;
  password ??= (await rl.question('Password (12+ characters; empty: generate one): ')) || undefined;
  rl.close();
}
email ??= 'admin@example.com';
if (!/^[^\s@]+@[^\s@]+$/.test(email)) usageError('--email must be an email address', usage);

const db = await openCliDatabase();
try {
  const user = await createStaffUser(db, { email, role: 'admin', password, via: 'setup' }).catch((err: Error) =>
    usageError(`--password: ${err.message}`, usage),
  );
  if (user.created)
    process.stdout.write(
      `Staff console admin: ${user.email} / ${user.generated ? user.password : '(the password you gave)'}${user.generated ? '   (shown this once, never logged or shown again)' : ''}\n`,
    );
  else process.stdout.write(`Staff user ${user.email} exists already: unchanged.\n`);
  if (!values['no-token']) {
    const created = await createApiToken(db, {
      name: 'admin (setup)',
      role: 'admin',
      token: values.token,
      via: 'setup',
    }).catch((err: Error) => usageError(`--token: ${err.message}`, usage));
    process.stdout.write(
      `Admin API token ${created.id} (shown this once, never logged or shown again; store it now):\n`,
    );
    process.stdout.write(`  TOKEN=${created.token}\n`);
  }
} finally {
  await db.destroy();
}
