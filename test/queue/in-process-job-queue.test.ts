import test from 'ava';
import { InProcessJobQueue } from '../../src/infra/queue/in-process-job-queue.js';
import { runJobQueueContract } from '../contracts/job-queue-contract.js';

runJobQueueContract(test, async () => new InProcessJobQueue());

test('a job dropped after its last attempt is logged with its error', async (t) => {
  const logged: Array<{ obj: object; msg?: string }> = [];
  const logger = { warn: () => {}, error: (obj: object, msg?: string) => logged.push({ obj, msg }) };
  const queue = new InProcessJobQueue({ logger });
  t.teardown(() => queue.close());
  const failure = new Error('KA unreachable');
  queue.process('provision', 1, async () => {
    throw failure;
  });
  await queue.enqueue('provision', {}, { jobId: 'request-9', attempts: 2, backoff: { initialDelayMs: 10 } });
  while (logged.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  t.is(logged.length, 1);
  t.like(logged[0], { obj: { err: failure, job: { name: 'provision', id: 'request-9', attempt: 2, maxAttempts: 2 } } });
});
