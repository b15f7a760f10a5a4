import test from 'ava';
import { storedSync, readStoredSync } from '../../../src/features/licenses/license-sync-state.js';
import { SyncPacer } from '../../../src/features/license-sync/sync-pacer.js';

/** A clock that only moves when the pacer sleeps. */
function pacedClock() {
  let now = 1_000_000;
  const calls: Array<{ configurationId: number; at: number }> = [];
  const pacer = new SyncPacer(
    () => now,
    async (ms) => {
      now += ms;
    },
  );
  const read = async (configurationId: number, rate: number | null) => {
    await pacer.take(configurationId, rate);
    calls.push({ configurationId, at: now });
  };
  return { read, calls };
}

test('reads of one configuration never exceed its rate in any second; other configurations are paced apart', async (t) => {
  const { read, calls } = pacedClock();
  for (let i = 0; i < 20; i += 1) await read(1, 4);
  for (let i = 0; i < 5; i += 1) await read(2, null);
  const ofOne = calls.filter((c) => c.configurationId === 1).map((c) => c.at);
  for (const at of ofOne) t.true(ofOne.filter((other) => other >= at && other < at + 1000).length <= 4);
  // The default rate (5 a second) for a configuration that does not set one.
  const ofTwo = calls.filter((c) => c.configurationId === 2).map((c) => c.at);
  t.true(ofTwo.filter((at) => at < (ofTwo[0] as number) + 1000).length <= 5);
});

test('readers arriving together line up, each in its own slot', async (t) => {
  const waits: number[] = [];
  const pacer = new SyncPacer(
    () => 1_000_000,
    async (ms) => {
      waits.push(ms);
    },
  );
  await Promise.all([pacer.take(1, 2), pacer.take(1, 2), pacer.take(1, 2)]);
  t.deepEqual(waits, [500, 1000]);
});

test('a stored diff is bounded, and reads back', (t) => {
  const long = 'x'.repeat(10_000);
  const list = Array.from({ length: 500 }, (_, i) => `F${i}`);
  const text = storedSync(
    [
      { field: 'features', ka: list, keyway: list },
      { field: 'revision', ka: long, keyway: long },
    ],
    long,
  );
  t.true(text.length <= 8_000);
  const read = readStoredSync(text);
  t.is(read.differences.length, 2);
  t.is((read.differences[0]?.ka ?? []).length, 21);
  t.deepEqual(readStoredSync('{"differences": [tru…'), { differences: [] });
});
