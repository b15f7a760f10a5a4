/**
 * Which real servers the tests use. In CI (CI=true) MariaDB and Redis are required: the
 * defaults point at the local servers and an unreachable one fails the run loudly. Elsewhere
 * they run only when their URL is set.
 */
const inCi = process.env.CI === 'true' || process.env.CI === '1';

export const testMysqlUrl: string | undefined =
  process.env.KEYWAY_TEST_MYSQL_URL ?? (inCi ? 'mysql://root@127.0.0.1:3306/keyway_test' : undefined);

export const testRedisUrl: string | undefined =
  process.env.KEYWAY_TEST_REDIS_URL ?? (inCi ? 'redis://127.0.0.1:6379' : undefined);

/** The KEYWAY_SECRET_KEY of test processes on MySQL (which refuse to start without one). */
export const testSecretKey = Buffer.alloc(32, 0x4b).toString('base64');

/** A name no other run shares, for databases, queue prefixes and the like. */
export function uniqueName(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${random}`;
}
