import test from 'ava';
import { hashPassword, passwordProblem, verifyPassword } from '../../../src/features/auth/password-hasher.js';

const cheap = { N: 1024, r: 8, p: 1 };

test('a password verifies against its own hash only', async (t) => {
  const hash = await hashPassword('correct horse battery', cheap);
  t.regex(hash, /^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
  t.true(await verifyPassword('correct horse battery', hash));
  t.false(await verifyPassword('correct horse batterY', hash));
  t.false(await verifyPassword('', hash));
});

test('the same password hashes differently each time (random salt)', async (t) => {
  t.not(await hashPassword('same password here', cheap), await hashPassword('same password here', cheap));
});

test('the cost stored in the hash is the one used to verify it', async (t) => {
  const hash = await hashPassword('a long enough password', { N: 2048, r: 8, p: 1 });
  t.true(await verifyPassword('a long enough password', hash));
});

test('malformed or foreign hashes never verify and never throw', async (t) => {
  for (const stored of [
    '',
    'plain',
    'bcrypt$2b$10$abc',
    'scrypt$0$8$1$c2FsdA$aGFzaA',
    'scrypt$1024$8$1$c2FsdA$short',
    `scrypt$${2 ** 24}$8$1$c2FsdA$${'A'.repeat(43)}`,
  ]) {
    t.false(await verifyPassword('whatever', stored), stored);
  }
});

test('staff passwords need at least 12 characters', (t) => {
  t.is(passwordProblem('short'), 'must be at least 12 characters');
  t.is(passwordProblem('twelve chars'), undefined);
  t.truthy(passwordProblem('x'.repeat(201)));
});
