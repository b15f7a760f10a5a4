import test from 'ava';
import { type PipelineHarness, startPipelineHarness, testQueueDrivers } from '../helpers/pipeline-harness.js';
import { testDialects } from '../helpers/test-database.js';

type Body = Record<string, unknown>;

const happyHistory = [
  'license_request.created',
  'license_request.ready',
  'license_request.issuing',
  'license_request.key_issued',
  'license_request.files_retrieved',
  'license_request.installing',
  'license_request.installed',
];

async function historyOf(h: PipelineHarness, requestId: number): Promise<Body[]> {
  return (await h.api.request<{ history: Body[] }>('GET', `/api/v1/license-requests/${requestId}`)).body.history ?? [];
}

for (const dialect of testDialects()) {
  for (const driver of testQueueDrivers()) {
    test(`${dialect}/${driver}: twelve orders paid at once go in batches; a refused issue goes to staff and a failed install retries, alone, while the rest install together`, async (t) => {
      // A whole batch calls the KA at once: on a loaded machine the harness's short timeout
      // would turn slow answers into lookups, which this test is not about.
      const h = await startPipelineHarness(dialect, driver, {}, { kaTimeoutMs: 15_000 });
      t.teardown(() => h.close());
      h.ka.authority.injectFault(
        'createKey',
        { kind: 'result', code: 244, message: 'Feature is not applicable' },
        { times: 1 },
      );
      h.target.failNext(503);
      const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => h.buy(`batch-${i}`)));

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
      // One key per license, none for the refused request.
      t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
      t.is(h.keysAtKa().length, 11);

      const histories = await Promise.all(ids.map((id) => historyOf(h, id)));
      const actions = histories.map((events) => events.map((e) => e.action as string));
      // Nine went the happy path exactly as a single request does; one retried its install.
      t.is(
        actions.filter((a) => JSON.stringify(a) === JSON.stringify(happyHistory)).length,
        10,
        JSON.stringify(actions.filter((a) => JSON.stringify(a) !== JSON.stringify(happyHistory))),
      );
      const retried = actions.find((a) => a.includes('license_request.retry_scheduled'));
      t.truthy(retried, 'the failed install was retried');
      t.is(retried?.at(-1), 'license_request.installed');
      const refused = actions.find((a) => a.includes('license_request.needs_manual'));
      t.deepEqual(refused?.slice(-2), ['license_request.issuing', 'license_request.needs_manual']);

      // The batch wrote its steps together: several requests' `issuing` events share one insert.
      const issuingAt = histories.map((events) => events.find((e) => e.action === 'license_request.issuing')?.at);
      const sameInsert = Math.max(...issuingAt.map((at) => issuingAt.filter((other) => other === at).length));
      t.true(sameInsert > 1, `issuing events written together (largest group ${sameInsert})`);

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
    const h = await startPipelineHarness(dialect, 'in-process', { KEYWAY_PIPELINE_BATCH: '1' });
    t.teardown(() => h.close());
    const ids = await Promise.all(['one-a', 'one-b', 'one-c'].map((r) => h.buy(r)));
    for (const id of ids) await h.waitForState(id, 'installed');
    for (const id of ids)
      t.deepEqual(
        (await historyOf(h, id)).map((e) => e.action),
        happyHistory,
      );
    t.deepEqual(h.keysAtKa(), await h.licensesInKeyway());
  });
}
