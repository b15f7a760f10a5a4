import test from 'ava';
import { backoffDelay } from '../../src/infra/queue/job-queue.js';

test('the delay doubles with each attempt', (t) => {
  const policy = { initialDelayMs: 100 };
  t.deepEqual(
    [1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt)),
    [100, 200, 400, 800],
  );
});

test('the delay never exceeds maxDelayMs before jitter', (t) => {
  const policy = { initialDelayMs: 100, maxDelayMs: 300 };
  t.is(backoffDelay(policy, 3), 300);
  t.is(backoffDelay(policy, 10), 300);
});

test('jitter adds up to its fraction of the delay, never less than the base', (t) => {
  const policy = { initialDelayMs: 100, jitter: 0.5 };
  t.is(
    backoffDelay(policy, 2, () => 0),
    200,
  );
  t.is(
    backoffDelay(policy, 2, () => 0.5),
    250,
  );
  t.is(
    backoffDelay(policy, 2, () => 0.999),
    300,
  );
});

test('jitter spreads retries of many jobs', (t) => {
  const policy = { initialDelayMs: 1000, jitter: 0.2 };
  const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(policy, 1)));
  t.true(delays.size > 10);
  for (const delay of delays) t.true(delay >= 1000 && delay <= 1200);
});
