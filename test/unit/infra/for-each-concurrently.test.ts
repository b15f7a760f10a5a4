import test from 'ava';
import { forEachConcurrently } from '../../../src/infra/async/for-each-concurrently.js';

/** Work that holds each item until the test lets it go, recording what ran at once. */
function heldWork() {
  const started: number[] = [];
  const waiting: Array<() => void> = [];
  let inFlight = 0;
  let most = 0;
  const work = async (item: number) => {
    started.push(item);
    inFlight += 1;
    most = Math.max(most, inFlight);
    await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight -= 1;
    if (item < 0) throw new Error(`bad ${item}`);
  };
  const releaseOne = async () => {
    waiting.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, work, releaseOne, waiting, most: () => most };
}

test('runs every item once, at most limit at a time, starting them in order', async (t) => {
  const held = heldWork();
  const items = Array.from({ length: 10 }, (_, i) => i);
  const done = forEachConcurrently(items, 3, held.work);
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(held.started, [0, 1, 2], 'three start at once');
  await held.releaseOne();
  t.deepEqual(held.started, [0, 1, 2, 3], 'the next starts when one ends');
  while (held.waiting.length) await held.releaseOne();
  await done;
  t.deepEqual(held.started, items);
  t.is(held.most(), 3);
});

test('a limit above the items runs them all at once; no items resolves at once', async (t) => {
  const held = heldWork();
  const done = forEachConcurrently([1, 2], 8, held.work);
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(held.started, [1, 2]);
  while (held.waiting.length) await held.releaseOne();
  await done;
  await t.notThrowsAsync(forEachConcurrently([], 4, held.work));
});

test('a failure starts no further item, waits for those in flight, then rejects with the first error', async (t) => {
  const held = heldWork();
  let settled = false;
  const done = forEachConcurrently([-1, 2, 3, 4, 5], 2, held.work).finally(() => {
    settled = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(held.started, [-1, 2]);
  await held.releaseOne(); // -1 fails
  t.false(settled, 'item 2 is still in flight');
  t.deepEqual(held.started, [-1, 2], 'nothing new started after the failure');
  await held.releaseOne();
  await t.throwsAsync(done, { message: 'bad -1' });
  t.deepEqual(held.started, [-1, 2]);
});
