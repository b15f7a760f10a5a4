import test from 'ava';
import { DEMO_ACCOUNT } from '../../src/reference-ka/index.js';
import { type PipelineHarness, startPipelineHarness } from '../helpers/pipeline-harness.js';
import { testDialects } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;

/**
 * Fifteen requests whose outcome is unknown and one free key at the KA: the lookups of all
 * fifteen race for it. A key has one holder, decided in Keyway's database; the requests go to
 * staff with the count that could not be settled, and staff's retries then settle them one by
 * one without looping.
 */
for (const dialect of testDialects()) {
  let h: PipelineHarness;
  test.before(async () => {
    h = await startPipelineHarness(
      dialect,
      'in-process',
      // Retries wait long enough for the test to take keys away between the lost answers and the lookups.
      { KEYWAY_RETRY_MAX_ATTEMPTS: '4', KEYWAY_RETRY_INITIAL_DELAY_MS: '2000', KEYWAY_RETRY_MAX_DELAY_MS: '2000' },
      { kaTimeoutMs: 10_000 },
    );
  });
  test.after.always(async () => {
    await h?.close();
  });

  const request = async (id: number) => (await h.api.request<Body>('GET', `/api/v1/license-requests/${id}`)).body;

  test(`${dialect}: fifteen lookups, one free key: no key gets two holders, staff see why, and their retries settle each request once`, async (t) => {
    const before = new Set(h.keysAtKa());
    h.ka.authority.injectFault('createKey', { kind: 'drop' }, { times: 15 });
    const ids = await Promise.all(Array.from({ length: 15 }, (_, i) => h.buy(`race-${dialect}-${i}`)));
    await waitFor(async () => h.keysAtKa().length === before.size + 15 || undefined, 'the fifteen keys to be made');
    // Fourteen of the keys disappear at the KA before any lookup runs: one free key is left.
    const made = h.keysAtKa().filter((k) => !before.has(k));
    for (const keyNumber of made.slice(1)) h.ka.authority.terminateKey(DEMO_ACCOUNT.clientId, keyNumber);
    const terminal = ['needs_manual', 'installed'];
    const settled = await Promise.all(
      ids.map((id) =>
        waitFor(
          async () => ((await request(id)).state as string) in { needs_manual: 1, installed: 1 } && request(id),
          `request ${id} to settle`,
          60_000,
        ),
      ),
    );
    t.true(settled.every((r) => terminal.includes(String(r.state))));
    // As requests reach staff they stop waiting: the last one waiting may take the free key, and only it.
    const installed = settled.filter((r) => r.state === 'installed');
    t.true(installed.length <= 1);
    for (const r of installed) t.is((r.license as Body).keyNumber, made[0]);
    t.true(
      Number(
        (await h.api.running.context.db('licenses').where({ key_number: made[0] }).count({ n: '*' }).first())?.n,
      ) <= 1,
    );
    const toStaff = settled.filter((r) => r.state === 'needs_manual');
    t.true(toStaff.length >= 14);
    for (const r of toStaff) {
      t.regex(String(r.reason), /1 free PLESK-12-WEB-HOST key\(s\) .* for \d+ request\(s\) waiting/);
      t.deepEqual(
        (r.keyCandidates as Body[]).map((c) => c.keyNumber),
        [made[0]],
      );
    }
    // Staff retry two of them: each settles once (the free key if still free, else a new key), no loop.
    for (const r of toStaff.slice(0, 2)) {
      t.is((await h.api.request('POST', `/api/v1/license-requests/${r.id}/retry`)).status, 200);
      await h.waitForState(Number(r.id), 'installed');
    }
    const licensed = await h.licensesInKeyway();
    t.is(new Set(licensed).size, licensed.length);
    t.true(licensed.includes(made[0] as string));
    t.is(h.keysAtKa().filter((k) => !before.has(k)).length, 15 + (installed.length === 1 ? 2 : 1));
  });
}
