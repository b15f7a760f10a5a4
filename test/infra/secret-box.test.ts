import { randomBytes } from 'node:crypto';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { openSecretBox } from '../../src/bootstrap/secret-key.js';
import { ConfigError } from '../../src/config/config.js';
import { isSealed, SecretBox, SecretUnreadableError } from '../../src/infra/db/secret-box.js';

const box = new SecretBox(randomBytes(32));

test('a sealed value opens to what was sealed, type included, and never shows it', (t) => {
  for (const value of ['demo-password', '', 'päss wörd ✓', 42, true]) {
    const sealed = box.seal(value, 'ka-setting:password');
    t.true(isSealed(sealed));
    t.regex(sealed, new RegExp(`^v1:${box.keyId}:`));
    if (typeof value === 'string' && value) t.false(sealed.includes(value));
    t.is(box.open(sealed, 'ka-setting:password'), value);
  }
  t.not(box.seal('same', 'p'), box.seal('same', 'p'), 'a fresh IV each time');
  t.false(isSealed('demo-password'));
  t.false(isSealed('v1:plain text someone typed'));
});

test('another key, another purpose or a changed byte is reported, naming key ids only', (t) => {
  const sealed = box.seal('demo-password', 'ka-setting:password');
  const other = new SecretBox(randomBytes(32));
  const wrongKey = t.throws(() => other.open(sealed, 'ka-setting:password'), { instanceOf: SecretUnreadableError });
  t.is(wrongKey?.reason, 'other_key');
  t.is(wrongKey?.message, `it was encrypted with key ${box.keyId} and this process has key ${other.keyId}`);
  t.is(t.throws(() => box.open(sealed, 'ka-setting:login'), { instanceOf: SecretUnreadableError })?.reason, 'damaged');
  // A character inside the body (the last one may carry padding bits only).
  const at = sealed.length - 10;
  const changed = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
  t.is(
    t.throws(() => box.open(changed, 'ka-setting:password'), { instanceOf: SecretUnreadableError })?.reason,
    'damaged',
  );
});

test('the embedded key file is made once, owner-only, and read by every later process; a broken one is named', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyway-key-'));
  const config = { databaseUrl: `sqlite:${path.join(dir, 'keyway.sqlite')}`, secretKey: undefined };
  t.is(openSecretBox(config, { create: false }), undefined, 'scripts do not make a key');
  const first = openSecretBox(config, { create: true });
  const second = openSecretBox(config, { create: true });
  t.truthy(first);
  t.is(second?.keyId, first?.keyId);
  t.is((await stat(path.join(dir, 'keyway.sqlite.key'))).mode & 0o777, 0o600);
  t.is(
    openSecretBox({ ...config, secretKey: Buffer.alloc(32, 1) }, { create: true })?.keyId,
    new SecretBox(Buffer.alloc(32, 1)).keyId,
    'KEYWAY_SECRET_KEY wins',
  );

  await writeFile(path.join(dir, 'keyway.sqlite.key'), 'not a key\n');
  const err = t.throws(() => openSecretBox(config, { create: true }), { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /keyway\.sqlite\.key: not a Keyway secret key/);
});
