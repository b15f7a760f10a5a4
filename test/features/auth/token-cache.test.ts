import test from 'ava';
import { TokenStore } from '../../../src/features/auth/token-store.js';
import { testDialects, useTestDatabase } from '../../helpers/test-database.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const dialect of testDialects()) {
  const database = useTestDatabase(dialect);

  const counted = async <T>(work: () => Promise<T>): Promise<{ value: T; statements: number }> => {
    let statements = 0;
    const count = () => {
      statements += 1;
    };
    database.db.on('query', count);
    try {
      return { value: await work(), statements };
    } finally {
      database.db.off('query', count);
    }
  };

  test.serial(
    `${dialect}: a verified token is trusted for the cache's time without a read; a revoke through it ends it at once`,
    async (t) => {
      const { db } = database;
      const tokens = new TokenStore({ cacheMs: 60_000 });
      const { id, token } = await tokens.create(db, { name: 'store', role: 'store' });
      t.is((await tokens.findPrincipal(db, token))?.id, id);
      const again = await counted(() => tokens.findPrincipal(db, token));
      t.is(again.value?.id, id);
      t.is(again.statements, 0, 'the second request reads nothing');
      t.true(await tokens.revoke(db, id, Date.now()));
      t.is(await tokens.findPrincipal(db, token), undefined, 'revoked here: refused on the next request');
      // Refused tokens are never cached: each try reads.
      t.is((await counted(() => tokens.findPrincipal(db, token))).statements, 1);
      const unknown = await counted(() => tokens.findPrincipal(db, 'kw_unknown_token_0123456789'));
      t.is(unknown.value, undefined);
      t.is(unknown.statements, 1);
    },
  );

  test.serial(
    `${dialect}: a token revoked by another process stops within the cache's time; without a cache, at once`,
    async (t) => {
      const { db } = database;
      const cached = new TokenStore({ cacheMs: 300 });
      const uncached = new TokenStore();
      const { id, token } = await cached.create(db, { name: 'other', role: 'operator' });
      t.truthy(await cached.findPrincipal(db, token));
      t.truthy(await uncached.findPrincipal(db, token));
      // Another process (its own store) revokes it.
      t.true(await new TokenStore().revoke(db, id, Date.now()));
      t.is(await uncached.findPrincipal(db, token), undefined);
      t.truthy(await cached.findPrincipal(db, token), 'trusted until its cache time runs out');
      await sleep(350);
      t.is(await cached.findPrincipal(db, token), undefined);
    },
  );
}
