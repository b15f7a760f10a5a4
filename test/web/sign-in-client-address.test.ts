import test from 'ava';
import { StaffUserStore } from '../../src/features/auth/staff-user-store.js';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi, type TestApi } from '../helpers/test-server.js';

const user = { email: 'ada@example.com', password: 'right-password-123', role: 'admin' as const, name: 'Ada' };

/** One sign-in over real HTTP (double-submit token in cookie and form); answers the status. */
async function signIn(
  api: TestApi,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<number> {
  const token = 'T'.repeat(32);
  const res = await fetch(`${api.url}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `kw_signin_csrf=${token}`, ...headers },
    body: new URLSearchParams({ _csrf: token, email, password }).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

// Defect 10 of the fault campaign: the sign-in limiter took the client address from
// X-Forwarded-For sent by any client, and counted only per (email, address).
for (const dialect of testDialects()) {
  test(`${dialect}: by default X-Forwarded-For is ignored: a client rotating it is still limited`, async (t) => {
    const api = await startTestApi(dialect);
    t.teardown(() => api.close());
    await new StaffUserStore().create(api.running.context.db, user);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      statuses.push(await signIn(api, user.email, `wrong-${i}`, { 'x-forwarded-for': `198.51.100.${i + 1}` }));
    t.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    t.is(await signIn(api, user.email, user.password, { 'x-forwarded-for': '198.51.100.99' }), 429);
  });

  test(`${dialect}: with KEYWAY_TRUST_PROXY naming the proxy, X-Forwarded-For is the client address the limit counts`, async (t) => {
    const api = await startTestApi(dialect, { KEYWAY_TRUST_PROXY: 'loopback' });
    t.teardown(() => api.close());
    await new StaffUserStore().create(api.running.context.db, user);
    for (let i = 0; i < 5; i += 1)
      t.is(await signIn(api, user.email, `wrong-${i}`, { 'x-forwarded-for': '198.51.100.7' }), 401);
    t.is(await signIn(api, user.email, user.password, { 'x-forwarded-for': '198.51.100.7' }), 429);
    t.is(
      await signIn(api, user.email, user.password, { 'x-forwarded-for': '198.51.100.8' }),
      303,
      'another client behind the proxy signs in',
    );
  });

  test(`${dialect}: one address guessing across many e-mails is limited for every e-mail`, async (t) => {
    const api = await startTestApi(dialect);
    t.teardown(() => api.close());
    await new StaffUserStore().create(api.running.context.db, user);
    const statuses: number[] = [];
    // Four tries each at five e-mails: under the per-email limit, over the per-address one.
    for (let i = 0; i < 20; i += 1) statuses.push(await signIn(api, `guess${i % 5}@example.com`, `wrong-${i}`));
    t.deepEqual([...new Set(statuses)], [401]);
    t.is(await signIn(api, 'guess9@example.com', 'wrong'), 429);
    t.is(await signIn(api, user.email, user.password), 429, 'the address waits, whatever the e-mail');
  });
}
