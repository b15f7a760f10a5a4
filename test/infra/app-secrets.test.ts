import { randomBytes } from 'node:crypto';
import test from 'ava';
import { installationSecret, sealAppSecrets } from '../../src/infra/db/app-secrets.js';
import { SecretBox } from '../../src/infra/db/secret-box.js';
import { testDialects, useTestDatabase } from '../helpers/test-database.js';

for (const dialect of testDialects()) {
  const database = useTestDatabase(dialect);
  const box = new SecretBox(randomBytes(32));

  test.serial(
    `${dialect}: an installation secret is created sealed, and every reader gets the same value`,
    async (t) => {
      const value = await installationSecret(database.db, 'service-callback', box);
      t.regex(value, /^[\w-]{43}$/);
      const row = await database.db('app_secrets').where({ name: 'service-callback' }).first();
      t.false(String(row.value).includes(value));
      t.regex(String(row.value), /^v1:/);
      t.is(await installationSecret(database.db, 'service-callback', box), value);
    },
  );

  test.serial(`${dialect}: a secret an older Keyway stored in plain text keeps its value once sealed`, async (t) => {
    await database
      .db('app_secrets')
      .insert({ name: 'legacy', value: 'plain-root-secret-of-an-older-keyway', created_at: Date.now() });
    t.is(await installationSecret(database.db, 'legacy', box), 'plain-root-secret-of-an-older-keyway');
    t.deepEqual(await sealAppSecrets(database.db, box), { sealed: ['legacy'], otherKey: [] });
    t.regex(String((await database.db('app_secrets').where({ name: 'legacy' }).first()).value), /^v1:/);
    t.is(await installationSecret(database.db, 'legacy', box), 'plain-root-secret-of-an-older-keyway');
    t.deepEqual(await sealAppSecrets(database.db, box), { sealed: [], otherKey: [] }, 'sealing again changes nothing');
    t.deepEqual((await sealAppSecrets(database.db, new SecretBox(randomBytes(32)))).otherKey.sort(), [
      'legacy',
      'service-callback',
    ]);
  });
}
