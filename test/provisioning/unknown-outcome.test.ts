import test from 'ava';
import { referenceNote } from '../../plugins/parallels-ka/src/xmlrpc-ka-adapter.js';
import { DEMO_ACCOUNT } from '../../src/reference-ka/index.js';
import { type PipelineHarness, startPipelineHarness } from '../helpers/pipeline-harness.js';
import { testDialects } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;

/**
 * Unknown outcomes of the issue call on a KA that can search only by server address (Partner
 * API 1.0): the lookup must never lose what is known, never hand one key to two requests, and
 * settle interchangeable keys by itself.
 */
for (const dialect of testDialects()) {
  let h: PipelineHarness;
  test.before(async () => {
    // Lost answers are dropped connections, not timeouts: a generous timeout keeps a loaded
    // machine from turning the lookups themselves into failures.
    h = await startPipelineHarness(dialect, 'in-process', { KEYWAY_RETRY_MAX_ATTEMPTS: '6' }, { kaTimeoutMs: 10_000 });
  });
  test.after.always(async () => {
    await h?.close();
  });
  test.afterEach.always(() => {
    h?.ka.authority.clearFaults();
  });

  const db = () => h.api.running.context.db;
  const request = async (id: number) => (await h.api.request<Body>('GET', `/api/v1/license-requests/${id}`)).body;

  test.serial(
    `${dialect}: a lookup that cannot reach the KA changes nothing: the send time stays, and one key is found`,
    async (t) => {
      const keysBefore = h.keysAtKa().length;
      // The key is made but its answer is lost; then the lookups fail twice (connection dropped).
      h.ka.authority.injectFault('createKey', { kind: 'drop' }, { times: 1 });
      h.ka.authority.injectFault('getKeyNumbers', { kind: 'drop' }, { times: 2 });
      const id = await h.buy(`lookup-fails-${dialect}`);
      await h.waitForState(id, 'installed');
      const row = await db()('license_requests').where({ id }).first();
      t.not(row.issue_sent_at, null, 'a failed lookup must keep the send time, or the next one searches from now');
      const steps = ((await request(id)).history as Body[])
        .filter((e) => e.action === 'license_request.retry_scheduled')
        .map((e) => (e.data as Body).step);
      t.deepEqual(steps, ['issue key', 'look up key', 'look up key']);
      t.is(h.keysAtKa().length, keysBefore + 1);
      t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
    },
  );

  test.serial(
    `${dialect}: sixteen answers lost at once: every request claims one of the interchangeable keys, none goes to staff`,
    async (t) => {
      const keysBefore = h.keysAtKa().length;
      h.ka.authority.injectFault('createKey', { kind: 'drop' }, { times: 16 });
      const ids = await Promise.all(Array.from({ length: 16 }, (_, i) => h.buy(`crash-${dialect}-${i}`)));
      try {
        for (const id of ids) await h.waitForState(id, 'installed', 30_000);
      } catch (err) {
        t.log(
          JSON.stringify(
            await db()('license_requests')
              .whereIn('id', ids)
              .select('id', 'state', 'attempts', 'issue_sent_at', 'lease_until', 'next_attempt_at'),
          ),
        );
        t.log(JSON.stringify(h.ka.authority.listKeys().map((k) => [k.keyNumber, k.createdAt, k.note, k.terminated])));
        t.log(JSON.stringify(await db()('licenses').select('request_id', 'key_number')));
        t.log(Date.now());
        throw err;
      }
      t.is(h.keysAtKa().length, keysBefore + 16);
      t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
      // Each key was claimed in Keyway's database first, then marked at the KA with its holder's reference.
      const holders = await db()('licenses').whereIn('request_id', ids).select('request_id', 'key_number');
      for (const { request_id, key_number } of holders) {
        const details = h.ka.authority.getKey(key_number, DEMO_ACCOUNT.clientId);
        t.is(details.note, referenceNote(String((await request(Number(request_id))).reference)));
      }
    },
  );

  // Last: it leaves keys at the KA that no request of this harness may take.
  test.serial(
    `${dialect}: more free keys than requests: staff get a short reason and the candidates apart, after the retries`,
    async (t) => {
      // Thirty keys for the same server made by someone else, then our answer is lost.
      for (let i = 0; i < 30; i += 1) {
        h.ka.authority.createKey(DEMO_ACCOUNT.clientId, {
          productId: 'PLESK-12-WEB-HOST',
          server: { ips: ['203.0.113.7'], macs: [] },
        });
      }
      h.ka.authority.injectFault('createKey', { kind: 'drop' }, { times: 1 });
      const id = await h.buy(`surplus-${dialect}`);
      const settled = await waitFor(
        async () => {
          const r = await request(id);
          return r.state === 'needs_manual' ? r : undefined;
        },
        'the request to reach needs_manual',
        20_000,
      ).catch(async (err) => {
        t.log(await db()('license_requests').where({ id }).first());
        throw err;
      });
      t.true(String(settled.reason).length <= 500);
      t.regex(String(settled.reason), /31 free PLESK-12-WEB-HOST key\(s\) .* for 1 request\(s\) waiting/);
      t.is((settled.keyCandidates as Body[]).length, 31);
      t.is(settled.license, null);
    },
  );
}
