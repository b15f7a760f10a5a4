import test from 'ava';
import { BatchGate } from '../../../src/infra/db/batch-gate.js';

/** A writer that records each batch it was given and holds it until released. */
function heldWriter(fail: (items: number[]) => Error | undefined = () => undefined) {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  const write = async (items: number[]): Promise<Array<PromiseSettledResult<number>>> => {
    batches.push(items);
    await new Promise<void>((resolve) => releases.push(resolve));
    const error = fail(items);
    if (error) throw error;
    return items.map((n) =>
      n < 0 ? { status: 'rejected', reason: new Error(`bad ${n}`) } : { status: 'fulfilled', value: n * 10 },
    );
  };
  const releaseAll = async () => {
    while (releases.length) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { write, batches, releaseAll };
}

test('the first item is written at once; those that arrive meanwhile go together in the next batch', async (t) => {
  const writer = heldWriter();
  const commits = new BatchGate(writer.write, 64);
  const outcomes = Promise.all([1, 2, 3, 4].map((n) => commits.submit(n)));
  t.deepEqual(writer.batches, [[1]]);
  await writer.releaseAll();
  t.deepEqual(await outcomes, [10, 20, 30, 40]);
  t.deepEqual(writer.batches, [[1], [2, 3, 4]]);
});

test('a batch holds at most maxBatch items', async (t) => {
  const writer = heldWriter();
  const commits = new BatchGate(writer.write, 2);
  const outcomes = Promise.all([1, 2, 3, 4, 5, 6].map((n) => commits.submit(n)));
  await writer.releaseAll();
  await outcomes;
  t.deepEqual(writer.batches, [[1], [2, 3], [4, 5], [6]]);
});

test("an item's own failure rejects only its caller", async (t) => {
  const writer = heldWriter();
  const commits = new BatchGate(writer.write);
  const first = commits.submit(1);
  const outcomes = Promise.allSettled([2, -3, 4].map((n) => commits.submit(n)));
  await writer.releaseAll();
  t.is(await first, 10);
  const [two, bad, four] = await outcomes;
  t.deepEqual(two, { status: 'fulfilled', value: 20 });
  t.is(bad?.status, 'rejected');
  t.deepEqual(four, { status: 'fulfilled', value: 40 });
});

test('a batch that fails as a whole is written again item by item: only the item that fails alone is rejected', async (t) => {
  // Any batch holding 7 fails, as a transaction does when one of its rows breaks a constraint.
  const writer = heldWriter((items) => (items.includes(7) ? new Error('duplicate entry') : undefined));
  const commits = new BatchGate(writer.write);
  const first = commits.submit(1);
  const outcomes = Promise.allSettled([5, 7, 9].map((n) => commits.submit(n)));
  await writer.releaseAll();
  await first;
  const [five, seven, nine] = await outcomes;
  t.deepEqual(five, { status: 'fulfilled', value: 50 });
  t.is(seven?.status === 'rejected' && (seven.reason as Error).message, 'duplicate entry');
  t.deepEqual(nine, { status: 'fulfilled', value: 90 });
  t.deepEqual(writer.batches, [[1], [5, 7, 9], [5], [7], [9]]);
});

test('after a batch fails, the next batch is still written', async (t) => {
  const writer = heldWriter((items) => (items.includes(7) ? new Error('down') : undefined));
  const commits = new BatchGate(writer.write);
  await t.throwsAsync(
    Promise.all([commits.submit(7), writer.releaseAll()]).then(() => undefined),
    { message: 'down' },
  );
  const later = commits.submit(2);
  await writer.releaseAll();
  t.is(await later, 20);
});

test('maxBatch must be a positive integer', (t) => {
  t.throws(() => new BatchGate(async () => [], 0), { instanceOf: RangeError });
});
