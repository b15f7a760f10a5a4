import test from 'ava';
import { SignInLimiter } from '../../../src/features/auth/sign-in-limiter.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let database: TestDatabase;
let now = 1_800_000_000_000;

test.before(async () => {
  database = await createTestDatabase('sqlite');
});
test.after.always(async () => {
  await database?.drop();
});

test.serial(
  'failures are limited per email and address, case-insensitively, and clear on success or with time',
  async (t) => {
    const limiter = new SignInLimiter({ maxFailures: 3, maxFailuresPerAddress: 100, windowMs: 60_000 }, () => now);
    const db = database.db;
    for (let i = 0; i < 3; i += 1) {
      t.is(await limiter.retryAfterMs(db, 'ada@example.com', '10.0.0.1'), 0);
      await limiter.recordFailure(db, 'ada@example.com', '10.0.0.1');
      now += 1_000;
    }
    t.is(
      await limiter.retryAfterMs(db, 'ADA@example.com ', '10.0.0.1'),
      57_000,
      'blocked until the oldest failure leaves the window',
    );
    t.is(await limiter.retryAfterMs(db, 'ada@example.com', '10.0.0.2'), 0, 'another address is not blocked');
    t.is(await limiter.retryAfterMs(db, 'bob@example.com', '10.0.0.1'), 0, 'another email is not blocked');
    now += 57_000;
    t.is(await limiter.retryAfterMs(db, 'ada@example.com', '10.0.0.1'), 0, 'the window moved on');

    await limiter.recordFailure(db, 'ada@example.com', '10.0.0.1');
    await limiter.clear(db, 'ada@example.com', '10.0.0.1');
    t.is(await limiter.retryAfterMs(db, 'ada@example.com', '10.0.0.1'), 0);
  },
);

test.serial('attempts are stored hashed, and old ones are removed on the next write', async (t) => {
  const limiter = new SignInLimiter({ maxFailures: 3, maxFailuresPerAddress: 100, windowMs: 60_000 }, () => now);
  await limiter.recordFailure(database.db, 'eve@example.com', '10.0.0.9');
  const rows = await database.db('sign_in_attempts').select('key_hash');
  t.false(JSON.stringify(rows).includes('eve'));
  t.false(JSON.stringify(rows).includes('10.0.0.9'));
  now += 120_000;
  await limiter.recordFailure(database.db, 'eve@example.com', '10.0.0.9');
  // One row for the email and address, one for the address alone.
  t.is(Number((await database.db('sign_in_attempts').count({ n: '*' }).first())?.n), 2);
});

test.serial(
  'failures are limited per address across e-mails too, and a success does not clear that count',
  async (t) => {
    const limiter = new SignInLimiter({ maxFailures: 3, maxFailuresPerAddress: 5, windowMs: 60_000 }, () => now);
    const db = database.db;
    for (let i = 0; i < 5; i += 1) {
      t.is(await limiter.retryAfterMs(db, `user${i}@example.com`, '10.0.1.1'), 0);
      await limiter.recordFailure(db, `user${i}@example.com`, '10.0.1.1');
      now += 1_000;
    }
    t.is(
      await limiter.retryAfterMs(db, 'someone-else@example.com', '10.0.1.1'),
      55_000,
      'the address is blocked for every email',
    );
    t.is(await limiter.retryAfterMs(db, 'someone-else@example.com', '10.0.1.2'), 0, 'another address is not');
    await limiter.clear(db, 'user0@example.com', '10.0.1.1');
    t.is(
      await limiter.retryAfterMs(db, 'user0@example.com', '10.0.1.1'),
      55_000,
      'signing in to one account does not reset the guesses at others',
    );
    now += 55_000;
    t.is(await limiter.retryAfterMs(db, 'someone-else@example.com', '10.0.1.1'), 0, 'the window moved on');
  },
);
