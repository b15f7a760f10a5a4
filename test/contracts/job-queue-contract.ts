import type { ExecutionContext, TestFn } from 'ava';
import type { JobContext, JobQueue } from '../../src/infra/queue/job-queue.js';

/**
 * What every JobQueue driver must do, run against each of them. Timings are short (tens of
 * milliseconds) and assertions are lower bounds and orderings, never tight upper bounds, so the
 * suite holds on a loaded machine. `makeQueue` returns a fresh queue isolated from other tests.
 */
export function runJobQueueContract(test: TestFn, makeQueue: () => Promise<JobQueue>): void {
  /** A fresh queue, closed when the test ends whatever happens. */
  async function open(t: ExecutionContext): Promise<JobQueue> {
    const queue = await makeQueue();
    t.teardown(() => queue.close({ timeoutMs: 500 }));
    return queue;
  }

  test('runs a job with its payload', async (t) => {
    const queue = await open(t);
    const seen: JobContext<{ requestId: number }>[] = [];
    queue.process<{ requestId: number }>('provision', 1, async (job) => {
      seen.push(job);
    });
    const id = await queue.enqueue('provision', { requestId: 42 });
    await waitFor(() => seen.length === 1);
    t.like(seen[0], { id, name: 'provision', payload: { requestId: 42 }, attempt: 1, maxAttempts: 1 });
  });

  test('a jobId enqueued twice while pending runs once, and can be reused once done', async (t) => {
    const queue = await open(t);
    t.is(await queue.enqueue('provision', { n: 1 }, { jobId: 'request-1' }), 'request-1');
    t.is(await queue.enqueue('provision', { n: 2 }, { jobId: 'request-1' }), 'request-1');
    t.like(await queue.counts(), { waiting: 1 });
    const payloads: unknown[] = [];
    queue.process('provision', 1, async (job) => {
      payloads.push(job.payload);
    });
    await waitFor(() => payloads.length === 1);
    await waitFor(async () => isIdle(await queue.counts()));
    await sleep(100);
    t.deepEqual(payloads, [{ n: 1 }]);

    await queue.enqueue('provision', { n: 3 }, { jobId: 'request-1' });
    await waitFor(() => payloads.length === 2);
    t.deepEqual(payloads, [{ n: 1 }, { n: 3 }]);
  });

  test('a delayed job waits for its delay', async (t) => {
    const queue = await open(t);
    const enqueuedAt = Date.now();
    await queue.enqueue('reconcile', {}, { delayMs: 300 });
    t.like(await queue.counts(), { delayed: 1, waiting: 0 });
    let ranAt = 0;
    queue.process('reconcile', 1, async () => {
      ranAt = Date.now();
    });
    await waitFor(() => ranAt > 0);
    // A few ms of slack for clock and timer granularity; the point is "not right away".
    t.true(ranAt - enqueuedAt >= 290, `ran after ${ranAt - enqueuedAt} ms`);
  });

  test('runs at most `concurrency` handlers at a time', async (t) => {
    const queue = await open(t);
    let inFlight = 0;
    let maxInFlight = 0;
    let done = 0;
    queue.process('install', 2, async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(150);
      inFlight -= 1;
      done += 1;
    });
    for (let i = 0; i < 6; i += 1) await queue.enqueue('install', { i });
    await waitFor(() => done === 6);
    t.is(maxInFlight, 2);
  });

  test('a failing job is retried up to its attempts, then dropped, and its id reused', async (t) => {
    const queue = await open(t);
    const tries: Array<[number, number]> = [];
    queue.process('provision', 1, async (job) => {
      tries.push([job.attempt, job.maxAttempts]);
      throw new Error(`try ${job.attempt} fails`);
    });
    const options = { jobId: 'request-2', attempts: 3, backoff: { initialDelayMs: 20, jitter: 0 } };
    await queue.enqueue('provision', {}, options);
    await waitFor(() => tries.length === 3);
    await waitFor(async () => isIdle(await queue.counts()));
    await sleep(200);
    t.deepEqual(tries, [
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    t.deepEqual(await queue.counts(), { waiting: 0, delayed: 0, active: 0 });

    await queue.enqueue('provision', {}, options);
    await waitFor(() => tries.length > 3);
    t.deepEqual(tries[3], [1, 3]);
  });

  test('a job dropped after its last attempt is kept as failed: listed with why, run again from a first attempt, or forgotten', async (t) => {
    const queue = await open(t);
    let healthy = false;
    const runs: Array<{ attempt: number; payload: unknown }> = [];
    queue.process('provision', 1, async (job) => {
      runs.push({ attempt: job.attempt, payload: job.payload });
      if (!healthy) throw new Error(`the KA refused (try ${job.attempt})`);
    });
    const options = { attempts: 2, backoff: { initialDelayMs: 10, jitter: 0 } };
    const first = await queue.enqueue('provision', { requestId: 7 }, { ...options, jobId: 'request-7' });
    const second = await queue.enqueue('provision', { requestId: 8 }, { ...options, jobId: 'request-8' });
    await waitFor(async () => (await queue.failed('provision')).length === 2);
    const failed = await queue.failed('provision');
    t.deepEqual(failed.map((f) => f.id).sort(), [first, second].sort());
    const seven = failed.find((f) => f.id === first);
    t.like(seven, { name: 'provision', payload: { requestId: 7 }, attempts: 2, error: 'the KA refused (try 2)' });
    t.true((seven?.failedAt ?? 0) > 0);
    t.like((await queue.depth(['provision']))[0], { failed: 2 });
    t.deepEqual(await queue.failed('provision', 1).then((l) => l.length), 1);

    healthy = true;
    t.true(await queue.retryFailed('provision', first));
    await waitFor(() =>
      runs.some(
        (r) =>
          (r.payload as { requestId: number }).requestId === 7 &&
          runs.filter((x) => (x.payload as { requestId: number }).requestId === 7).length === 3,
      ),
    );
    t.like(runs.at(-1), { attempt: 1, payload: { requestId: 7 } });
    t.false(await queue.retryFailed('provision', first), 'no longer kept once retried');

    t.true(await queue.removeFailed('provision', second));
    t.false(await queue.removeFailed('provision', second));
    await waitFor(async () => (await queue.failed('provision')).length === 0);
    t.like((await queue.depth(['provision']))[0], { failed: 0 });
  });

  test('the delay between attempts grows', async (t) => {
    const queue = await open(t);
    const startedAt: number[] = [];
    queue.process('provision', 1, async () => {
      startedAt.push(Date.now());
      throw new Error('fails');
    });
    await queue.enqueue('provision', {}, { attempts: 4, backoff: { initialDelayMs: 60, jitter: 0.5 } });
    await waitFor(() => startedAt.length === 4);
    const gaps = startedAt.slice(1).map((at, i) => at - (startedAt[i] ?? at));
    const [first = 0, second = 0, third = 0] = gaps;
    // Jitter only adds, so the exponential base is a lower bound (minus timer slack).
    t.true(first >= 55, `gaps ${gaps.join(', ')}`);
    t.true(second >= 115, `gaps ${gaps.join(', ')}`);
    t.true(third >= 235, `gaps ${gaps.join(', ')}`);
    t.true(third > first, `gaps ${gaps.join(', ')}`);
  });

  test('counts jobs waiting, delayed and running', async (t) => {
    const queue = await open(t);
    t.deepEqual(await queue.counts(), { waiting: 0, delayed: 0, active: 0 });
    await queue.enqueue('provision', { n: 1 });
    await queue.enqueue('provision', { n: 2 });
    await queue.enqueue('provision', { n: 3 }, { delayMs: 60_000 });
    t.deepEqual(await queue.counts(), { waiting: 2, delayed: 1, active: 0 });

    const release = deferred();
    queue.process('provision', 1, () => release.promise);
    await waitFor(async () => (await queue.counts()).active === 1);
    t.deepEqual(await queue.counts(), { waiting: 1, delayed: 1, active: 1 });
    release.resolve();
    await waitFor(async () => {
      const counts = await queue.counts();
      return counts.waiting === 0 && counts.active === 0;
    });
    t.like(await queue.counts(), { delayed: 1 });
  });

  test('depth reads each name: waiting, delayed, running, and the age of the oldest waiting job', async (t) => {
    const queue = await open(t);
    t.deepEqual(await queue.depth(['provision']), [
      { name: 'provision', waiting: 0, delayed: 0, active: 0, failed: 0, oldestWaitingMs: null },
    ]);
    await queue.enqueue('provision', { n: 1 });
    await queue.enqueue('provision', { n: 2 });
    await queue.enqueue('provision', { n: 3 }, { delayMs: 60_000 });
    await queue.enqueue('install', { n: 4 }, { delayMs: 60_000 });
    await sleep(120);
    const [provision, install, never] = await queue.depth(['provision', 'install', 'never-used']);
    t.like(provision, { name: 'provision', waiting: 2, delayed: 1, active: 0 });
    // The oldest waited since it was enqueued, about 120 ms ago; generous upper bound for a loaded machine.
    t.true((provision?.oldestWaitingMs ?? -1) >= 100, `oldest waited ${provision?.oldestWaitingMs} ms`);
    t.true((provision?.oldestWaitingMs ?? Infinity) < 30_000, `oldest waited ${provision?.oldestWaitingMs} ms`);
    t.deepEqual(install, { name: 'install', waiting: 0, delayed: 1, active: 0, failed: 0, oldestWaitingMs: null });
    t.deepEqual(never, { name: 'never-used', waiting: 0, delayed: 0, active: 0, failed: 0, oldestWaitingMs: null });
    // Without names: (at least) the names this instance enqueued.
    const used = (await queue.depth()).map((d) => d.name);
    t.true(used.includes('install') && used.includes('provision'), used.join(', '));

    const release = deferred();
    queue.process('provision', 1, () => release.promise);
    await waitFor(async () => (await queue.depth(['provision']))[0]?.active === 1);
    t.like((await queue.depth(['provision']))[0], { waiting: 1, delayed: 1, active: 1 });
    release.resolve();
    await waitFor(async () => (await queue.depth(['provision']))[0]?.waiting === 0);
    t.like((await queue.depth(['provision']))[0], { oldestWaitingMs: null });
  });

  // Serial: these measure close() and compare the process's open handles before and after.
  test.serial('close waits for a handler in flight, then leaves nothing open', async (t) => {
    const before = openHandles();
    const queue = await makeQueue();
    let finished = false;
    let started = false;
    queue.process('provision', 1, async () => {
      started = true;
      await sleep(200);
      finished = true;
    });
    await queue.enqueue('provision', {});
    await queue.enqueue('provision', {}, { delayMs: 60_000 });
    await waitFor(() => started);
    await queue.close({ timeoutMs: 5000 });
    t.true(finished);
    await assertNothingLeftOpen(t, before);
  });

  test.serial('close gives up on a handler that hangs past the timeout', async (t) => {
    const before = openHandles();
    const queue = await makeQueue();
    const hang = deferred();
    let started = false;
    queue.process('provision', 1, async () => {
      started = true;
      await hang.promise;
    });
    await queue.enqueue('provision', {});
    await waitFor(() => started);
    const closingAt = Date.now();
    await queue.close({ timeoutMs: 200 });
    const took = Date.now() - closingAt;
    t.true(took >= 150, `close took ${took} ms`);
    t.true(took < 5000, `close took ${took} ms`);
    await assertNothingLeftOpen(t, before);
    hang.resolve();
    await sleep(50);
  });

  test.serial('after close, enqueue rejects and close can be called again', async (t) => {
    const queue = await makeQueue();
    await queue.enqueue('provision', {});
    await queue.close();
    await t.throwsAsync(queue.enqueue('provision', {}));
    await t.notThrowsAsync(queue.close());
  });
}

function isIdle(counts: { waiting: number; delayed: number; active: number }): boolean {
  return counts.waiting === 0 && counts.delayed === 0 && counts.active === 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** Timers and sockets keeping the event loop alive, by type. */
function openHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) {
    if (type === 'Timeout' || type === 'TCPSocketWrap' || type === 'TCPWRAP') {
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
  }
  return counts;
}

/** Sockets close asynchronously after quit, so poll a little before judging. */
async function assertNothingLeftOpen(t: ExecutionContext, before: Map<string, number>): Promise<void> {
  const leaked = () =>
    [...openHandles()].filter(([type, count]) => count > (before.get(type) ?? 0)).map(([type]) => type);
  await waitFor(() => leaked().length === 0, 3000).catch(() => undefined);
  t.deepEqual(leaked(), [], 'the queue left timers or sockets open');
}
