import test from 'ava';
import { Redis } from 'ioredis';
import { BullJobQueue } from '../../src/infra/queue/bull-job-queue.js';
import type { QueueLogger } from '../../src/infra/queue/job-queue.js';
import { runJobQueueContract } from '../contracts/job-queue-contract.js';
import { testRedisUrl, uniqueName } from '../helpers/test-env.js';

const redisUrl = testRedisUrl;

if (redisUrl === undefined) {
  test.skip('BullJobQueue contract (needs Redis: set KEYWAY_TEST_REDIS_URL, or CI=true)', () => {});
} else {
  const prefixes: string[] = [];
  // One connection for setup and cleanup; fails fast (and so fails the run) when Redis is down.
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });

  test.before(async () => {
    try {
      await admin.connect();
      await admin.ping();
    } catch (error) {
      throw new Error('Redis for the queue tests is unreachable (KEYWAY_TEST_REDIS_URL, or the CI default)', {
        cause: error,
      });
    }
  });

  test.after.always(async () => {
    for (const prefix of prefixes) {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      if (keys.length > 0) await admin.del(...keys);
    }
    admin.disconnect();
  });

  const makeQueue = (logger?: QueueLogger) => {
    const prefix = uniqueName('keyway_test_queue');
    prefixes.push(prefix);
    return new BullJobQueue({ redisUrl, prefix, logger });
  };

  runJobQueueContract(test, async () => makeQueue());

  test('a job dropped after its last attempt is logged with its error', async (t) => {
    const logged: Array<{ obj: object; msg?: string }> = [];
    const queue = makeQueue({ warn: () => {}, error: (obj, msg) => logged.push({ obj, msg }) });
    t.teardown(() => queue.close());
    const failure = new Error('KA unreachable');
    queue.process('provision', 1, async () => {
      throw failure;
    });
    await queue.enqueue('provision', {}, { jobId: 'request-9', attempts: 2, backoff: { initialDelayMs: 10 } });
    while (logged.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    t.is(logged.length, 1);
    t.like(logged[0], {
      obj: { err: failure, job: { name: 'provision', id: 'request-9', attempt: 2, maxAttempts: 2 } },
    });
  });
}
