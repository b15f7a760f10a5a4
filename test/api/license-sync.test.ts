import test from 'ava';
import { SyncScheduler } from '../../src/features/license-sync/sync-scheduler.js';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig, type TwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
type Difference = { field: string; ka: unknown; keyway: unknown };
type License = Body & {
  id: number;
  keyNumber: string;
  status: string;
  features: string[];
  configurationId: number;
  sync: { state: string | null; differences: Difference[]; lastSyncedAt: string | null };
  history: Array<Body & { action: string; data?: Body }>;
};
type Job = Body & { id: number; finishedAt: string | null; counts: Record<string, number> };

/** The vendor acting on a key directly, through the reference KA's admin surface. */
async function atKa(rig: TwoProtocolRig, keyNumber: string, what: string, body: Body = {}): Promise<void> {
  const res = await fetch(`${rig.xmlrpc.url}/_reference/keys/${encodeURIComponent(keyNumber)}/${what}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${what} at the KA answered ${res.status}: ${await res.text()}`);
}

async function finished(rig: TwoProtocolRig, id: number): Promise<Job> {
  return waitFor(
    async () => {
      const job = (await rig.api.request<Job>('GET', `/api/v1/bulk-jobs/${id}`)).body;
      return job.finishedAt ? job : undefined;
    },
    `bulk job ${id} to finish`,
    30_000,
  );
}

/** getKeyInfo calls the process made to a configuration's KA, counted by its KA call metric. */
async function keyReads(rig: TwoProtocolRig, configurationName: string): Promise<number> {
  const metric = await rig.api.running.context.metrics.kaCallDuration.get();
  return metric.values
    .filter(
      (v) =>
        v.metricName === 'keyway_ka_call_duration_seconds_count' &&
        v.labels.method === 'getKeyInfo' &&
        v.labels.configuration === configurationName,
    )
    .reduce((sum, v) => sum + v.value, 0);
}

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: a key terminated at the KA is found by syncing its tab (a bulk job) and terminated in Keyway with the difference in its history; a drift Keyway does not follow is not in sync until staff accept the KA's facts or push Keyway's`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'sync', ip: '203.0.113.60' });
      const { api } = rig;
      t.teardown(() => rig.close());
      const bought = [
        ...(await rig.buyAndWaitInstalled('sync-1')).licenses,
        ...(await rig.buyAndWaitInstalled('sync-2')).licenses,
      ] as License[];
      const plesk = bought.filter((l) => l.configurationId === rig.xmlConfigurationId);
      const ras = bought.filter((l) => l.configurationId === rig.rasConfigurationId);
      const get = async (id: number) => (await api.request<License>('GET', `/api/v1/licenses/${id}`)).body;

      // A fresh license is in sync: nothing of the KA's differs (no false flag).
      for (const l of bought) {
        const synced = await api.request<License>('POST', `/api/v1/licenses/${l.id}/sync`, { body: {} });
        t.is(synced.status, 200, JSON.stringify(synced.body));
        t.like(synced.body.sync, { state: 'in_sync', differences: [] });
        t.truthy(synced.body.sync.lastSyncedAt);
      }

      // Viewers read; they do not sync.
      const viewer = await api.request<Body>('POST', '/api/v1/api-tokens', { body: { name: 'v', role: 'viewer' } });
      const forbidden = await api.request('POST', `/api/v1/licenses/${plesk[0]?.id}/sync`, {
        token: String(viewer.body.token),
        body: {},
      });
      t.is(forbidden.status, 403);
      const bad = await api.request<{ error: { details: { fields: Array<{ field: string }> } } }>(
        'POST',
        `/api/v1/licenses/${plesk[0]?.id}/sync/resolve`,
        { body: { resolution: 'ignore' } },
      );
      t.is(bad.status, 400);
      t.is(bad.body.error.details.fields[0]?.field, 'resolution');

      // The vendor terminates a key behind Keyway's back; "Sync" on its tab is a bulk job over the tab.
      const victim = plesk[0] as License;
      await atKa(rig, victim.keyNumber, 'terminate');
      const job = await api.request<Job>('POST', '/api/v1/bulk-jobs', {
        body: { action: 'sync', filter: { configuration: rig.xmlConfigurationId } },
      });
      t.is(job.status, 201, JSON.stringify(job.body));
      t.like(await finished(rig, job.body.id), { counts: { total: 2, done: 2, failed: 0 } });
      const terminated = await get(victim.id);
      t.is(terminated.status, 'terminated');
      t.like(terminated.sync, { state: 'in_sync', differences: [] });
      const event = terminated.history.find((e) => e.action === 'license.terminated');
      t.like(event, {
        actor: { type: 'api' },
        fromState: 'installed',
        toState: 'terminated',
        data: { byKa: true, differences: [{ field: 'status', ka: 'terminated', keyway: 'active' }] },
      });
      t.like(
        [...terminated.history].reverse().find((e) => e.action === 'license.synced'),
        {
          data: { note: `bulk job ${job.body.id}` },
        },
      );
      t.is((await get(plesk[1]?.id as number)).status, 'installed');
      const outbox = await api.request<{ data: Body[] }>('GET', `/api/v1/events?entity=license:${victim.id}`);
      t.like(
        outbox.body.data.find((e) => e.type === 'license.terminated'),
        { data: { byKa: true } },
      );

      // A feature added at the KA: not followed by itself, the license is not in sync with the difference.
      const drifted = ras[0] as License;
      const features = (rig.xmlrpc.authority.getKey(drifted.keyNumber).features ?? []) as string[];
      const product = rig.xmlrpc.authority.getProduct(rig.xmlrpc.authority.getKey(drifted.keyNumber).productId);
      const extra = (product.features ?? []).map((f) => f.id).find((id) => !features.includes(id));
      t.truthy(extra, 'the RAS product sells a feature the key lacks');
      await atKa(rig, drifted.keyNumber, 'features', { add: [extra] });
      const notInSync = await api.request<License>('POST', `/api/v1/licenses/${drifted.id}/sync`, { body: {} });
      t.is(notInSync.body.sync.state, 'not_in_sync');
      t.deepEqual(notInSync.body.sync.differences, [
        { field: 'features', ka: [...drifted.features, extra].sort(), keyway: [...drifted.features].sort() },
      ]);
      const listed = await api.request<{ data: License[] }>('GET', '/api/v1/licenses?sync=not_in_sync');
      t.deepEqual(
        listed.body.data.map((l) => l.id),
        [drifted.id],
      );
      const tabs = await api.request<{ data: Array<Body & { configurationId: number; notInSync: number }> }>(
        'GET',
        '/api/v1/license-tabs',
      );
      t.is(tabs.body.data.find((tab) => tab.configurationId === rig.rasConfigurationId)?.notInSync, 1);
      t.is(tabs.body.data.find((tab) => tab.configurationId === rig.xmlConfigurationId)?.notInSync, 0);
      const flagged = await api.request<{ data: Body[] }>('GET', `/api/v1/events?entity=license:${drifted.id}`);
      t.truthy(flagged.body.data.find((e) => e.type === 'license.not_in_sync'));

      // The KA made a new file with it: the file refresh fetches and installs it first (the license is busy meanwhile).
      const revision = rig.xmlrpc.authority.getKey(drifted.keyNumber).revision;
      await waitFor(async () => {
        const l = await get(drifted.id);
        return l.revision === revision && (l.request as Body).state === 'installed';
      }, 'the new revision to be installed');

      // Staff accept the KA's facts: Keyway takes the feature, audited.
      const accepted = await api.request<License>('POST', `/api/v1/licenses/${drifted.id}/sync/resolve`, {
        body: { resolution: 'accept_ka', note: 'the vendor added it' },
      });
      t.is(accepted.status, 200, JSON.stringify(accepted.body));
      t.like(accepted.body.sync, { state: 'in_sync', differences: [] });
      t.deepEqual([...accepted.body.features].sort(), [...drifted.features, extra].sort());
      t.like(
        accepted.body.history.find((e) => e.action === 'license.sync_resolved'),
        { data: { resolution: 'accept_ka', accepted: [{ field: 'features' }], kept: [], note: 'the vendor added it' } },
      );

      // Suspended at the KA: Keyway pushes its own status back (resumes the key there).
      const pushed = ras[1] as License;
      await atKa(rig, pushed.keyNumber, 'suspend');
      const suspended = await api.request<License>('POST', `/api/v1/licenses/${pushed.id}/sync`, { body: {} });
      t.deepEqual(suspended.body.sync.differences, [{ field: 'status', ka: 'suspended', keyway: 'active' }]);
      const push = await api.request<License & { syncOutcome: Body }>(
        'POST',
        `/api/v1/licenses/${pushed.id}/sync/resolve`,
        { body: { resolution: 'push_keyway' } },
      );
      t.is(push.status, 200, JSON.stringify(push.body));
      t.like(push.body.sync, { state: 'in_sync' });
      t.false(rig.xmlrpc.authority.getKey(pushed.keyNumber).suspended);
      t.like(push.body.syncOutcome, { pushed: [{ field: 'status', done: 'resume at the KA' }] });
      // The current file is installed again by the pipeline.
      await waitFor(
        async () => (await get(pushed.id)).history.some((e) => e.action === 'license_request.reinstall_requested'),
        'the reinstall to be asked',
      );
    },
  );

  test.serial(
    `${dialect}: the scheduled sync reads each license once per pass with two workers at once, at most its configuration's rate per run, and yields to issuance`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, {
        planCode: 'sync-pass',
        ip: '203.0.113.61',
        env: { KEYWAY_SCHEDULER_EVERY_MS: '3600000' },
      });
      const { api } = rig;
      t.teardown(() => rig.close());
      for (const ref of ['pass-1', 'pass-2', 'pass-3']) await rig.buyAndWaitInstalled(ref);
      const { db, clock } = api.running.context;
      const { licenseSync, stores } = api.running.keyway;
      const pass = (periodMs: number) =>
        new SyncScheduler({
          db,
          licenses: stores.licenses,
          requests: stores.licenseRequests,
          configurations: stores.kaConfigurations,
          service: licenseSync.service,
          logger: api.running.context.logger,
          periodMs,
          leaseMs: 60_000,
        });
      const dueNow = () => db('licenses').update({ sync_due_at: 0 });

      // Two workers at once: every license read exactly once.
      await dueNow();
      const before = (await keyReads(rig, 'Plesk keys')) + (await keyReads(rig, 'RAS keys'));
      const [a, b] = await Promise.all([pass(3_600_000).runDue(clock()), pass(3_600_000).runDue(clock())]);
      t.is(a.synced + b.synced, 6);
      const after = (await keyReads(rig, 'Plesk keys')) + (await keyReads(rig, 'RAS keys'));
      t.is(after - before, 6);
      const rows = await db('licenses').select('sync_state', 'last_synced_at', 'sync_due_at');
      t.true(rows.every((r) => r.sync_state === 'in_sync' && Number(r.sync_due_at) > clock()));

      // The rate: 2 reads a second over a 1.25 s period is 2 reads per run for the Plesk tab.
      const set = await api.request('PATCH', `/api/v1/ka-configurations/${rig.xmlConfigurationId}`, {
        body: { syncCallsPerSecond: 2 },
      });
      t.is(set.status, 200, JSON.stringify(set.body));
      await dueNow();
      const plesk = await keyReads(rig, 'Plesk keys');
      const run = await pass(1_250).runConfiguration(rig.xmlConfigurationId, 2, clock());
      t.is(run, 2);
      t.is((await keyReads(rig, 'Plesk keys')) - plesk, 2);
      t.is(await pass(1_250).runConfiguration(rig.xmlConfigurationId, 2, clock()), 1);
      t.is((await keyReads(rig, 'Plesk keys')) - plesk, 3);

      // A license request at work on the tab: the sync yields, nothing is read.
      await dueNow();
      const [request] = await db('license_requests').where({ configuration_id: rig.xmlConfigurationId }).limit(1);
      await db('license_requests').where({ id: request.id }).update({ state: 'ready' });
      const yielded = await pass(3_600_000).runDue(clock());
      t.deepEqual(yielded.yielded, [rig.xmlConfigurationId]);
      t.is((await keyReads(rig, 'Plesk keys')) - plesk, 3);
      await db('license_requests').where({ id: request.id }).update({ state: 'installed' });
    },
  );
}
