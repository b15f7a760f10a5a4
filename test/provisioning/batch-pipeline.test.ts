import test from 'ava';
import {
  happyPathActions,
  type PipelineHarness,
  startPipelineHarness,
  testQueueDrivers,
} from '../helpers/pipeline-harness.js';
import { testDialects } from '../helpers/test-database.js';

type Body = Record<string, unknown>;

async function historyOf(h: PipelineHarness, requestId: number): Promise<Body[]> {
  return (await h.api.request<{ history: Body[] }>('GET', `/api/v1/license-requests/${requestId}`)).body.history ?? [];
}

for (const dialect of testDialects()) {
  for (const driver of testQueueDrivers()) {
    test(`${dialect}/${driver}: twelve orders ready together go in one batch; a refused issue goes to staff and a failed install retries, alone, while the rest install together`, async (t) => {
      // A whole batch calls the KA at once: on a loaded machine the harness's short timeout
      // would turn slow answers into lookups, which this test is not about. The reconciler and
      // the lease are slow enough that the batch, not a single job, takes what waits.
      const h = await startPipelineHarness(
        dialect,
        driver,
        { KEYWAY_RECONCILE_EVERY_MS: '10000', KEYWAY_LEASE_MS: '60000' },
        { kaTimeoutMs: 15_000 },
      );
      t.teardown(() => h.close());
      // Two slow first orders, one after the other, hold both batch slots, so the next twelve
      // are ready together when a slot frees: one batch, whatever the machine's speed.
      h.ka.authority.injectFault('createKey', { kind: 'latency', ms: 5000 }, { times: 2 });
      const blockers: number[] = [];
      for (const reference of ['blocker-1', 'blocker-2']) {
        const id = await h.buy(reference);
        await h.waitForState(id, 'issuing');
        blockers.push(id);
      }
      h.ka.authority.injectFault(
        'createKey',
        { kind: 'result', code: 244, message: 'Feature is not applicable' },
        { times: 1 },
      );
      const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => h.buy(`batch-${i}`)));
      // Failed once, for whichever install comes first.
      h.target.failNext(503);

      const ended = await Promise.all(
        ids.map(async (id) => {
          for (let waited = 0; waited < 20_000; waited += 50) {
            const { body } = await h.api.request<Body>('GET', `/api/v1/license-requests/${id}`);
            if (body.state === 'installed' || body.state === 'needs_manual') return { id, state: body.state };
            await new Promise((r) => setTimeout(r, 50));
          }
          return { id, state: 'unfinished' };
        }),
      );
      t.deepEqual(
        ended.map((e) => e.state).sort(),
        [...Array(11).fill('installed'), 'needs_manual'],
        'one request refused, every other installed',
      );
      for (const id of blockers) await h.waitForState(id, 'installed');
      // One key per license, none for the refused request.
      t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
      t.is(h.keysAtKa().length, 13, "eleven keys of the batch and the two first orders' keys");

      const histories = await Promise.all(ids.map((id) => historyOf(h, id)));
      const actions = histories.map((events) => events.map((e) => e.action as string));
      const everyHistory = [
        ...actions,
        ...(await Promise.all(blockers.map((id) => historyOf(h, id)))).map((events) =>
          events.map((e) => e.action as string),
        ),
      ];
      // Every installed request went the single-request path's steps; one retried its install.
      const retried = everyHistory.filter((a) => a.includes('license_request.retry_scheduled'));
      t.is(retried.length, 1, 'one install failed once');
      for (const history of everyHistory.filter((a) => a.at(-1) === 'license_request.installed'))
        t.deepEqual(
          history.filter((a) => a !== 'license_request.retry_scheduled'),
          happyPathActions,
        );
      const refused = actions.find((a) => a.includes('license_request.needs_manual'));
      t.deepEqual(refused?.slice(-2), ['license_request.issuing', 'license_request.needs_manual']);

      // The batch wrote its steps together: the twelve `issuing` events share one insert.
      const issuingAt = histories.map((events) => events.find((e) => e.action === 'license_request.issuing')?.at);
      const sameInsert = Math.max(...issuingAt.map((at) => issuingAt.filter((other) => other === at).length));
      t.is(sameInsert, 12, 'issuing events written together');

      // Every lease is given back, the refused and retried ones included.
      const leased = await h.api.running.context
        .db('license_requests')
        .whereIn('id', ids)
        .whereNotNull('lease_token')
        .count({ n: '*' })
        .first();
      t.is(Number(leased?.n), 0);
    });
  }

  test(`${dialect}: with a batch of one (KEYWAY_PIPELINE_BATCH=1) each request runs as its own job, to the same end`, async (t) => {
    const h = await startPipelineHarness(
      dialect,
      'in-process',
      { KEYWAY_PIPELINE_BATCH: '1' },
      { kaTimeoutMs: 15_000 },
    );
    t.teardown(() => h.close());
    const ids = await Promise.all(['one-a', 'one-b', 'one-c'].map((r) => h.buy(r)));
    for (const id of ids) await h.waitForState(id, 'installed');
    for (const id of ids)
      t.deepEqual(
        (await historyOf(h, id)).map((e) => e.action),
        happyPathActions,
      );
    t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
  });
}
