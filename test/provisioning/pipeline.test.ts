import test from 'ava';
import { advanceJob } from '../../src/features/license-requests/license-request-jobs.js';
import { readInstallationId } from '../../src/features/license-requests/installation-id.js';
import { referenceOf } from '../../src/features/license-requests/license-request.js';
import { type Db, dialectOf } from '../../src/infra/db/database.js';
import { referenceNote } from '../../plugins/parallels-ka/src/xmlrpc-ka-adapter.js';
import {
  deleteRedisKeys,
  happyPathActions,
  kaTimeoutMs,
  type PipelineHarness,
  startPipelineHarness,
  testQueueDrivers,
} from '../helpers/pipeline-harness.js';
import { testDialects } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;

/** A real database failure: a trigger refuses every new license until it is dropped. */
async function refuseLicenseInserts(db: Db): Promise<() => Promise<void>> {
  await db.raw(
    dialectOf(db) === 'mysql'
      ? "CREATE TRIGGER test_refuse_license BEFORE INSERT ON licenses FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'test: licenses refused'"
      : "CREATE TRIGGER test_refuse_license BEFORE INSERT ON licenses BEGIN SELECT RAISE(ABORT, 'test: licenses refused'); END",
  );
  return async () => {
    await db.raw('DROP TRIGGER IF EXISTS test_refuse_license');
  };
}

for (const dialect of testDialects()) {
  for (const driver of testQueueDrivers()) {
    const name = `${dialect}/${driver}`;
    let h: PipelineHarness;

    test.before(async () => {
      h = await startPipelineHarness(dialect, driver);
    });
    test.after.always(async () => {
      await h?.close();
    });
    test.afterEach.always(() => {
      h?.ka.authority.clearFaults();
    });

    const historyOf = async (requestId: number) =>
      (
        (await h.api.request<{ history: Body[] }>('GET', `/api/v1/license-requests/${requestId}`)).body.history ?? []
      ).map((e) => e.action as string);

    test.serial(
      `${name}: a paid order ends with an installed license, its key and file, delivered to the install target`,
      async (t) => {
        const ids = await Promise.all(['happy-1', 'happy-2', 'happy-3'].map((r) => h.buy(r)));
        for (const id of ids) await h.waitForState(id, 'installed');
        const request = await h.api.request<{ license: Body & { files: Body[] } }>(
          'GET',
          `/api/v1/license-requests/${ids[0]}`,
        );
        const license = request.body.license;
        t.regex(String(license.keyNumber), /^PLSK\.\d{8}$/);
        t.is(license.status, 'installed');
        t.is(license.configurationId, h.configurationId);
        t.is(license.files.length, 1);
        t.regex(String(license.files[0]?.sha256), /^[0-9a-f]{64}$/);
        const installed = h.target.installs().map((i) => i.keyNumber);
        for (const id of ids) {
          const r = await h.api.request<{ license: Body }>('GET', `/api/v1/license-requests/${id}`);
          t.true(installed.includes(String(r.body.license.keyNumber)));
        }
        t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
        t.deepEqual(await historyOf(ids[0] as number), happyPathActions);
        // The move to installed released the job's lease in the same update.
        const leases = await h.api.running.context
          .db('license_requests')
          .whereIn('id', ids)
          .select('lease_token', 'lease_until');
        t.deepEqual(
          leases.map((l) => [l.lease_token, l.lease_until]),
          ids.map(() => [null, null]),
        );
      },
    );

    test.serial(`${name}: a KA that is down and comes back: the license completes after retries`, async (t) => {
      h.ka.authority.injectFault(
        'createKey',
        { kind: 'result', code: 300, message: 'KA internal error, try later' },
        { times: 2 },
      );
      h.ka.authority.injectFault('retrieveKey', { kind: 'drop' }, { times: 1 });
      const id = await h.buy('down-then-up');
      await h.waitForState(id, 'installed');
      const history = await historyOf(id);
      t.is(history.filter((a) => a === 'license_request.retry_scheduled').length, 3);
      t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
    });

    test.serial(
      `${name}: an install target that fails once: the retry installs the same key and files from installing`,
      async (t) => {
        const keysBefore = h.keysAtKa().length;
        h.target.failNext(503);
        const id = await h.buy('install-fails-once');
        await h.waitForState(id, 'installed');
        const history = await historyOf(id);
        // Files are stored once, in the transaction that moved the request on to installing.
        t.is(history.filter((a) => a === 'license_request.files_retrieved').length, 1);
        t.is(history.filter((a) => a === 'license_request.installing').length, 1);
        t.is(history.filter((a) => a === 'license_request.retry_scheduled').length, 1);
        const request = await h.api.request<{ license: Body & { files: Body[] } }>(
          'GET',
          `/api/v1/license-requests/${id}`,
        );
        t.is(request.body.license.status, 'installed');
        t.is(request.body.license.files.length, 1);
        t.true(h.target.installs().some((i) => i.keyNumber === request.body.license.keyNumber));
        t.is(h.keysAtKa().length, keysBefore + 1);
        t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
      },
    );

    test.serial(
      `${name}: a permanent refusal moves the request to needs_manual with the reason, and issues nothing`,
      async (t) => {
        const keysBefore = h.keysAtKa().length;
        h.ka.authority.injectFault(
          'createKey',
          { kind: 'result', code: 244, message: 'Feature is not applicable' },
          { times: 1 },
        );
        const id = await h.buy('refused');
        const request = await h.waitForState(id, 'needs_manual');
        t.regex(String(request.reason), /issue key: the KA refused \(business_rule 244\)/);
        t.is((request.lastError as Body).kaResultCode, 244);
        t.is(request.license, null);
        t.is(h.keysAtKa().length, keysBefore);
        // The refusal was definite, so staff's retry asks for a key again rather than searching.
        const retry = await h.api.request('POST', `/api/v1/license-requests/${id}/retry`);
        t.is(retry.status, 200);
        await h.waitForState(id, 'installed');
        t.is(h.keysAtKa().length, keysBefore + 1);
      },
    );

    test.serial(
      `${name}: a timeout after the request was sent is resolved by looking the key up: one key, no duplicate`,
      async (t) => {
        const keysBefore = h.keysAtKa().length;
        // The KA creates the key but answers after our timeout.
        h.ka.authority.injectFault('createKey', { kind: 'latency', ms: kaTimeoutMs * 3 }, { times: 1 });
        const id = await h.buy('timeout-after-send');
        await h.waitForState(id, 'installed');
        t.is(h.keysAtKa().length, keysBefore + 1);
        const history = await historyOf(id);
        t.true(history.includes('license_request.lookup'));
        t.is(history.filter((a) => a === 'license_request.issuing').length, 1);
        t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
      },
    );

    test.serial(
      `${name}: the KA issued the key but storing it failed: the retry finds it by reference, no second key`,
      async (t) => {
        const keysBefore = h.keysAtKa().length;
        const allow = await refuseLicenseInserts(h.api.running.context.db);
        let id: number;
        try {
          id = await h.buy('store-key-fails');
          await waitFor(
            async () => (await historyOf(id)).includes('license_request.retry_scheduled'),
            'the failed store to schedule a retry',
          );
          t.is(h.keysAtKa().length, keysBefore + 1);
        } finally {
          await allow();
        }
        await h.waitForState(id, 'installed');
        const history = await historyOf(id);
        t.true(history.includes('license_request.lookup'));
        t.is(history.filter((a) => a === 'license_request.issuing').length, 1);
        t.is(h.keysAtKa().length, keysBefore + 1);
        t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
      },
    );

    test.serial(`${name}: concurrent duplicate jobs for one request issue one key`, async (t) => {
      const keysBefore = h.keysAtKa().length;
      h.ka.authority.injectFault('createKey', { kind: 'latency', ms: 200 }, { times: 1 });
      const id = await h.buy('duplicates');
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          h.api.running.context.queue.enqueue(advanceJob, { requestId: id }, { jobId: `duplicate-${id}-${i}` }),
        ),
      );
      await h.waitForState(id, 'installed');
      // Let any straggling duplicate finish before counting.
      await new Promise((resolve) => setTimeout(resolve, 300));
      t.is(h.keysAtKa().length, keysBefore + 1);
      t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
    });

    if (driver === 'bull') {
      test.serial(`${name}: Redis flushed mid-run: the reconciler completes every request`, async (t) => {
        h.ka.authority.injectFault('createKey', { kind: 'latency', ms: 150 }, { times: 5 });
        const ids = await Promise.all(['flush-1', 'flush-2', 'flush-3', 'flush-4', 'flush-5'].map((r) => h.buy(r)));
        const deleted = await deleteRedisKeys(h.queuePrefix);
        t.true(deleted > 0);
        try {
          for (const id of ids) await h.waitForState(id, 'installed', 30_000);
        } catch (err) {
          t.log(
            await h.api.running.context
              .db('license_requests')
              .select('id', 'state', 'attempts', 'next_attempt_at', 'lease_until'),
          );
          t.log(await h.api.running.context.db('services').select('id', 'state', 'attempts', 'next_attempt_at'));
          t.log(await h.api.running.context.db('subscriptions').select('id', 'state'));
          throw err;
        }
        t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
      });
    }

    test.serial(`${name}: a disabled configuration sends its requests to staff`, async (t) => {
      await h.api.request('PATCH', `/api/v1/ka-configurations/${h.configurationId}`, { body: { enabled: false } });
      try {
        const id = await h.buy('disabled');
        const request = await h.waitForState(id, 'needs_manual');
        t.regex(String(request.reason), /disabled/);
      } finally {
        await h.api.request('PATCH', `/api/v1/ka-configurations/${h.configurationId}`, { body: { enabled: true } });
        await waitFor(
          async () =>
            (await h.api.request<Body>('GET', `/api/v1/ka-configurations/${h.configurationId}`)).body.status ===
            'configured',
          'the configuration to be configured again',
        );
      }
    });

    test.serial(
      `${name}: a note that names this request on a key another license holds is stale evidence: the request claims its own key`,
      async (t) => {
        const a = await h.buy('claimed-a');
        await h.waitForState(a, 'installed');
        const keyA = String(
          (await h.api.request<{ license: Body }>('GET', `/api/v1/license-requests/${a}`)).body.license.keyNumber,
        );
        // A's key carries the next request's reference, as a lookup that guessed wrong would leave it.
        const db = h.api.running.context.db;
        const nextId = Number((await db('license_requests').max({ m: 'id' }).first())?.m) + 1;
        h.ka.authority.addNote(1001, keyA, referenceNote(referenceOf(await readInstallationId(db), nextId)));
        // The next request's answer is lost, so it looks its key up, and the note points at A's key.
        const keysBefore = h.keysAtKa().length;
        h.ka.authority.injectFault('createKey', { kind: 'drop' }, { times: 1 });
        const b = await h.buy('claimed-b');
        t.is(b, nextId);
        await h.waitForState(b, 'installed');
        const holders = ((await db('licenses').where({ key_number: keyA }).pluck('request_id')) as number[]).map(
          Number,
        );
        t.deepEqual(holders, [a]);
        t.is(h.keysAtKa().length, keysBefore + 1);
        t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
      },
    );
  }
}
