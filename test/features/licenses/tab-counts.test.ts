import test from 'ava';
import { LicenseQueryStore } from '../../../src/features/licenses/license-query-store.js';
import { LicenseStore } from '../../../src/features/licenses/license-store.js';
import { TabCounts } from '../../../src/features/licenses/tab-counts.js';
import type { Db } from '../../../src/infra/db/database.js';
import { insertKaConfiguration } from '../../helpers/catalog-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let database: TestDatabase;
let configurationId: number;
const licenses = new LicenseStore();
let keys = 0;

test.before(async () => {
  database = await createTestDatabase('sqlite');
  configurationId = await insertKaConfiguration(database.db, 'Counted KA');
});
test.after.always(async () => {
  await database?.drop();
});

async function addLicense(db: Db): Promise<void> {
  keys += 1;
  await licenses.insert(db, {
    requestId: null,
    configurationId,
    subscriptionId: null,
    customerId: null,
    keyNumber: `CNT.${String(keys).padStart(8, '0')}`,
    product: 'P',
    features: [],
    additionalKeyNumbers: [],
    source: 'upload',
  });
}

/** A clock that moves on by `stepMs` each time it is read, so every count "takes" that long. */
function steppingClock(stepMs: number): { now: () => number; jump(ms: number): void } {
  let t = 1_800_000_000_000;
  return {
    now: () => {
      t += stepMs;
      return t;
    },
    jump: (ms) => {
      t += ms;
    },
  };
}

const issued = (rows: Array<{ configurationId: number; status: string; count: number }>) =>
  rows.find((r) => r.configurationId === configurationId && r.status === 'issued')?.count ?? 0;

test.serial('a fast count is always taken afresh', async (t) => {
  const clock = steppingClock(1);
  const counts = new TabCounts(database.db, new LicenseQueryStore(), clock.now);
  const before = issued((await counts.get()).rows);
  await addLicense(database.db);
  const after = await counts.get();
  t.is(issued(after.rows), before + 1);
  t.is(after.countedAt, undefined);
});

test.serial('a slow count is reused for a while, says when it was taken, and is taken again after', async (t) => {
  const clock = steppingClock(100); // every count "takes" 100 ms: reused for 3 s
  const counts = new TabCounts(database.db, new LicenseQueryStore(), clock.now);
  const first = await counts.get();
  await addLicense(database.db);
  const reused = await counts.get();
  t.is(issued(reused.rows), issued(first.rows));
  t.is(typeof reused.countedAt, 'number');
  clock.jump(3_000);
  const fresh = await counts.get();
  t.is(issued(fresh.rows), issued(first.rows) + 1);
});

test.serial('pages asking at the same moment share one count', async (t) => {
  const counts = new TabCounts(database.db, new LicenseQueryStore(), steppingClock(1).now);
  let queries = 0;
  const onQuery = () => {
    queries += 1;
  };
  database.db.on('query', onQuery);
  try {
    const answers = await Promise.all([counts.get(), counts.get(), counts.get()]);
    // One count: licenses by status, and those not in sync with their KA.
    t.is(queries, 2);
    t.deepEqual(answers[1], answers[0]);
  } finally {
    database.db.off('query', onQuery);
  }
});
