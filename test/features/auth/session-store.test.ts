import test from 'ava';
import { hashSessionId, SessionStore } from '../../../src/features/auth/session-store.js';
import { StaffUserStore } from '../../../src/features/auth/staff-user-store.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let database: TestDatabase;
let userId: number;
let now = 1_800_000_000_000;
const clock = () => now;

test.before(async () => {
  database = await createTestDatabase('sqlite');
  userId = await new StaffUserStore().create(database.db, {
    email: 'Ops@Example.com',
    name: 'Ops',
    role: 'operator',
    password: 'a long password 1',
  });
});
test.after.always(async () => {
  await database?.drop();
});

test.serial('a session is found by its cookie value, and only its hash is stored', async (t) => {
  const sessions = new SessionStore(60_000, clock);
  const created = await sessions.create(database.db, userId);
  const row = await database.db('staff_sessions').first();
  t.is(row.id_hash, hashSessionId(created.id));
  t.false(JSON.stringify(row).includes(created.id));
  const found = await sessions.find(database.db, created.id);
  t.like(found, { userId, role: 'operator', name: 'Ops', email: 'ops@example.com', csrfToken: created.csrfToken });
  t.is(await sessions.find(database.db, `${created.id}x`), undefined);
});

test.serial('each session has its own CSRF token', async (t) => {
  const sessions = new SessionStore(60_000, clock);
  const a = await sessions.create(database.db, userId);
  const b = await sessions.create(database.db, userId);
  t.not(a.csrfToken, b.csrfToken);
  t.true(a.csrfToken.length >= 40);
});

test.serial('a session expires, slides when past half its life, and is gone after sign-out', async (t) => {
  const sessions = new SessionStore(60_000, clock);
  const { id } = await sessions.create(database.db, userId);
  now += 20_000;
  const early = await sessions.find(database.db, id);
  t.is(await sessions.touch(database.db, id, early!), undefined, 'no write while most of its life is left');
  now += 20_000;
  const late = await sessions.find(database.db, id);
  t.is(await sessions.touch(database.db, id, late!), now + 60_000);
  now += 59_000;
  t.truthy(await sessions.find(database.db, id), 'still alive thanks to the slide');
  now += 2_000;
  t.is(await sessions.find(database.db, id), undefined, 'expired');
  t.true((await sessions.deleteExpired(database.db)) >= 1);

  const other = await sessions.create(database.db, userId);
  await sessions.delete(database.db, other.id);
  t.is(await sessions.find(database.db, other.id), undefined);
});

test.serial('a disabled user has no session', async (t) => {
  const sessions = new SessionStore(60_000, clock);
  const { id } = await sessions.create(database.db, userId);
  await database.db('staff_users').where({ id: userId }).update({ disabled: true });
  t.is(await sessions.find(database.db, id), undefined);
  await database.db('staff_users').where({ id: userId }).update({ disabled: false });
});
