import test from 'ava';
import { ConfigError, loadConfig } from '../src/config/config.js';

const secretKey = Buffer.alloc(32, 9).toString('base64');

test('defaults are the embedded ones: SQLite under ./data, in-process queue, role all, port 3000', (t) => {
  const config = loadConfig({}, '/srv/keyway');
  t.is(config.databaseUrl, 'sqlite:/srv/keyway/data/keyway.sqlite');
  t.is(config.redisUrl, undefined);
  t.is(config.role, 'all');
  t.is(config.port, 3000);
  t.true(config.demo);
  t.is(config.pipeline.maxAttempts, 8);
});

test('MySQL and Redis URLs are taken; the demo is off on MySQL', (t) => {
  const config = loadConfig({
    KEYWAY_DB_URL: 'mysql://u:p@db:3306/keyway',
    KEYWAY_REDIS_URL: 'redis://cache:6379',
    KEYWAY_ROLE: 'worker',
    KEYWAY_SECRET_KEY: secretKey,
  });
  t.is(config.databaseUrl, 'mysql://u:p@db:3306/keyway');
  t.is(config.redisUrl, 'redis://cache:6379');
  t.is(config.role, 'worker');
  t.false(config.demo);
});

test('a bad value stops start-up with a message naming every bad variable', (t) => {
  const err = t.throws(() => loadConfig({ KEYWAY_ROLE: 'boss', PORT: 'eighty', KEYWAY_DB_URL: 'postgres://x' }), {
    instanceOf: ConfigError,
  });
  t.regex(err?.message ?? '', /KEYWAY_ROLE/);
  t.regex(err?.message ?? '', /PORT/);
  t.regex(err?.message ?? '', /KEYWAY_DB_URL/);
});

test('a short admin token is refused without echoing it back', (t) => {
  const err = t.throws(() => loadConfig({ KEYWAY_ADMIN_TOKEN: 'short-secret' }), { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /KEYWAY_ADMIN_TOKEN/);
  t.notRegex(err?.message ?? '', /short-secret/);
});

test('KEYWAY_SECRET_KEY is 32 bytes in base64 or hex; anything else is refused without echoing it', (t) => {
  t.deepEqual(loadConfig({ KEYWAY_SECRET_KEY: secretKey }).secretKey, Buffer.alloc(32, 9));
  t.deepEqual(loadConfig({ KEYWAY_SECRET_KEY: '09'.repeat(32) }).secretKey, Buffer.alloc(32, 9));
  t.is(loadConfig({}).secretKey, undefined);
  const err = t.throws(() => loadConfig({ KEYWAY_SECRET_KEY: 'too-short-a-key' }), { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /KEYWAY_SECRET_KEY: .*openssl rand -base64 32/);
  t.notRegex(err?.message ?? '', /too-short-a-key/);
});

test('a MySQL database needs KEYWAY_SECRET_KEY: every process must read the secrets the others stored', (t) => {
  const err = t.throws(() => loadConfig({ KEYWAY_DB_URL: 'mysql://u:p@db:3306/keyway' }), { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /KEYWAY_SECRET_KEY: required with a MySQL database.*openssl rand -base64 32/);
});

test('proxy headers are trusted only when KEYWAY_TRUST_PROXY says from whom: off by default, a hop count, or addresses and subnets', (t) => {
  t.is(loadConfig({}).trustProxy, false);
  t.is(loadConfig({ KEYWAY_TRUST_PROXY: 'false' }).trustProxy, false);
  t.is(loadConfig({ KEYWAY_TRUST_PROXY: '1' }).trustProxy, 1);
  t.deepEqual(loadConfig({ KEYWAY_TRUST_PROXY: 'loopback' }).trustProxy, ['loopback']);
  t.deepEqual(loadConfig({ KEYWAY_TRUST_PROXY: '10.0.0.0/8, 192.168.1.7 ,fd00::/8,uniquelocal' }).trustProxy, [
    '10.0.0.0/8',
    '192.168.1.7',
    'fd00::/8',
    'uniquelocal',
  ]);
  for (const bad of [
    'true',
    'yes',
    '0',
    '-1',
    '10.0.0.0/33',
    '300.1.1.1',
    'proxy.example.com',
    '10.0.0.1,,10.0.0.2',
    '',
  ]) {
    const err = t.throws(() => loadConfig({ KEYWAY_TRUST_PROXY: bad }), { instanceOf: ConfigError }, bad);
    t.regex(err?.message ?? '', /KEYWAY_TRUST_PROXY/, bad);
  }
});
