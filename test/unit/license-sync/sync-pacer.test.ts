import test from 'ava';
import { storedSync, readStoredSync } from '../../../src/features/licenses/license-sync-state.js';
import { SyncPacer } from '../../../src/features/license-sync/sync-pacer.js';
import type { SyncSlotLedger } from '../../../src/features/license-sync/sync-slot-ledger.js';

/** The ledger's contract in memory: runs of slots that never overlap. */
function memoryLedger(): SyncSlotLedger & { reservations: number } {
  const next = new Map<number, number>();
  return {
    reservations: 0,
    async reserve(configurationId, count, intervalMs, now) {
      this.reservations += 1;
      const start = Math.max(now, next.get(configurationId) ?? 0);
      next.set(configurationId, Math.ceil(start + count * intervalMs));
      return start;
    },
  };
}

/** A clock that only moves when the pacer sleeps. */
function pacedClock() {
  let now = 1_000_000;
  const calls: Array<{ configurationId: number; at: number }> = [];
  const pacer = new SyncPacer(
    memoryLedger(),
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
  const ledger = memoryLedger();
  const pacer = new SyncPacer(
    ledger,
    () => 1_000_000,
    async (ms) => {
      waits.push(ms);
    },
  );
  await Promise.all([pacer.take(1, 2), pacer.take(1, 2), pacer.take(1, 2)]);
  t.deepEqual(waits, [525, 1050]);
  // One reservation at a time: the three readers waited for the same ones, never raced.
  t.is(ledger.reservations, 3);
});

test('two workers sharing a ledger keep one rate between them', async (t) => {
  let now = 5_000_000;
  const ledger = memoryLedger();
  const sleep = async (ms: number) => {
    now += ms;
  };
  const workers = [new SyncPacer(ledger, () => now, sleep), new SyncPacer(ledger, () => now, sleep)];
  const slots: number[] = [];
  for (let i = 0; i < 60; i += 1) slots.push(await (workers[i % 2] as SyncPacer).take(7, 40));
  slots.sort((a, b) => a - b);
  for (let i = 1; i < slots.length; i += 1) t.true((slots[i] as number) - (slots[i - 1] as number) >= 25);
});

test('a worker reserves a quarter second of slots at a time', async (t) => {
  let now = 5_000_000;
  const ledger = memoryLedger();
  const pacer = new SyncPacer(
    ledger,
    () => now,
    async (ms) => {
      now += ms;
    },
  );
  for (let i = 0; i < 60; i += 1) await pacer.take(7, 40);
  // 10 slots (250 ms at 26.25 ms a slot) per reservation: a tenth of the reads write the ledger.
  t.is(ledger.reservations, 6);
});

test('slots a worker let pass are lost, not spent in a burst', async (t) => {
  let now = 1_000_000;
  const pacer = new SyncPacer(
    memoryLedger(),
    () => now,
    async (ms) => {
      now += ms;
    },
  );
  // 40 a second: slots 26.25 ms apart (a second and its margin, over 40), in runs of 10.
  const first = await pacer.take(3, 40);
  now += 110;
  const late = await pacer.take(3, 40);
  const next = await pacer.take(3, 40);
  // 110 ms later the next slot on the run's grid is the fifth; the four before it are gone.
  t.is(late, first + 5 * 26.25);
  t.is(next, first + 6 * 26.25);
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
