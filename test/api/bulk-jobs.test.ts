import test from 'ava';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
type Job = Body & { id: number; state: string; finishedAt: string | null; counts: Record<string, number> };

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: bulk jobs suspend, terminate and renew licenses at their KAs through the API, once per item, also when an item runs again`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'bulk', ip: '203.0.113.40' });
      const { api, xmlrpc } = rig;
      t.teardown(() => rig.close());
      const licenses = [
        ...(await rig.buyAndWaitInstalled('bulk-1')).licenses,
        ...(await rig.buyAndWaitInstalled('bulk-2')).licenses,
      ];
      const ras = licenses.filter((l) => l.configurationId === rig.rasConfigurationId);
      const plesk = licenses.filter((l) => l.configurationId === rig.xmlConfigurationId);
      const keyAtKa = (keyNumber: unknown) => xmlrpc.authority.listKeys().find((k) => k.keyNumber === keyNumber);
      const finished = (id: number) =>
        waitFor(
          async () => {
            const job = (await api.request<Job>('GET', `/api/v1/bulk-jobs/${id}`)).body;
            return job.finishedAt ? job : undefined;
          },
          `bulk job ${id} to finish`,
          30_000,
        );

      // Viewers read, they do not act; bad input names its field and creates nothing.
      const viewer = await api.request<Body>('POST', '/api/v1/api-tokens', {
        body: { name: 'viewer', role: 'viewer' },
      });
      const forbidden = await api.request('POST', '/api/v1/bulk-jobs', {
        token: String(viewer.body.token),
        body: { action: 'suspend', filter: { configuration: rig.rasConfigurationId } },
      });
      t.is(forbidden.status, 403);
      const badField = async (body: Body) => {
        const res = await api.request<{ error: { details: { fields: Array<{ field: string }> } } }>(
          'POST',
          '/api/v1/bulk-jobs',
          { body },
        );
        t.is(res.status, 400);
        return res.body.error.details.fields[0]?.field;
      };
      t.is(await badField({ action: 'explode', ids: [1] }), 'action');
      t.is(await badField({ action: 'suspend', ids: ['1'] }), 'ids.0');
      t.is(await badField({ action: 'suspend', filter: { configuration: 'x' } }), 'filter.configuration');
      t.is(await badField({ action: 'suspend', filter: { stauts: 'installed' } }), 'filter');
      t.is(await badField({ action: 'suspend' }), 'filter');
      t.deepEqual((await api.request<{ data: Body[] }>('GET', '/api/v1/bulk-jobs')).body.data, []);

      // Suspend the RAS tab: both keys at the KA, each license with its own audit event.
      const suspend = await api.request<Job>('POST', '/api/v1/bulk-jobs', {
        body: { action: 'suspend', filter: { configuration: rig.rasConfigurationId }, note: 'unpaid' },
      });
      t.is(suspend.status, 201);
      t.like(suspend.body, { action: 'suspend', appliesTo: 'license', counts: { total: 2 } });
      t.like(await finished(suspend.body.id), {
        state: 'finished',
        counts: { total: 2, done: 2, failed: 0, skipped: 0, left: 0 },
      });
      for (const l of ras) t.true(keyAtKa(l.keyNumber)?.suspended);
      const history = (await api.request<{ history: Body[] }>('GET', `/api/v1/licenses/${ras[0]?.id}`)).body.history;
      t.like(
        history.find((e) => e.action === 'license.suspended'),
        { actor: { type: 'api' }, data: { note: 'unpaid' } },
      );

      // Suspending again: the XML-RPC tab cannot (skipped, with why), and nothing is sent.
      const unsupported = await api.request<Job>('POST', '/api/v1/bulk-jobs', {
        body: { action: 'suspend', ids: plesk.map((l) => l.id) },
      });
      t.like(await finished(unsupported.body.id), { counts: { skipped: 2, done: 0 } });
      const skipped = await api.request<{ data: Body[] }>(
        'GET',
        `/api/v1/bulk-jobs/${unsupported.body.id}/items?state=skipped`,
      );
      t.like(skipped.body.data[0], { state: 'skipped', resultCode: 'not_supported' });

      // Terminate is destructive: the count must be confirmed.
      const unconfirmed = await api.request<{ error: Body & { details: Body } }>('POST', '/api/v1/bulk-jobs', {
        body: { action: 'terminate', filter: { configuration: rig.rasConfigurationId, status: 'suspended' } },
      });
      t.is(unconfirmed.status, 409);
      t.like(unconfirmed.body.error, { code: 'confirmation_required', details: { count: 2 } });
      t.regex(String(unconfirmed.body.error.message), /^Terminate 2 licenses\?/);
      const miscounted = await api.request('POST', '/api/v1/bulk-jobs', {
        body: { action: 'terminate', filter: { configuration: rig.rasConfigurationId }, confirm: 3 },
      });
      t.is(miscounted.status, 409);
      for (const l of ras) t.false(keyAtKa(l.keyNumber)?.terminated);
      const terminate = await api.request<Job>('POST', '/api/v1/bulk-jobs', {
        body: { action: 'terminate', filter: { configuration: rig.rasConfigurationId }, confirm: 2 },
      });
      t.like(await finished(terminate.body.id), { counts: { done: 2 } });
      for (const l of ras) t.true(keyAtKa(l.keyNumber)?.terminated);
      const cancelFinished = await api.request<{ error: Body }>(
        'POST',
        `/api/v1/bulk-jobs/${terminate.body.id}/cancel`,
      );
      t.is(cancelFinished.status, 409);

      // Renew one license, then run its item again as after a worker that died before writing
      // the outcome: the KA renews once.
      const target = plesk[0] as Body;
      const renew = await api.request<Job>('POST', '/api/v1/bulk-jobs', {
        body: { action: 'renew', ids: [target.id] },
      });
      t.like(await finished(renew.body.id), { counts: { done: 1 } });
      const renewedUntil = keyAtKa(target.keyNumber)?.expiresAt.toISOString();
      t.not(renewedUntil, new Date(String(target.expiresAt)).toISOString());
      const { db } = api.running.context;
      await db('bulk_job_items')
        .where({ bulk_job_id: renew.body.id })
        .update({ state: 'running', lease_until: 1, lease_token: 'dead-worker', finished_at: null });
      await db('bulk_jobs')
        .where({ id: renew.body.id })
        .update({ state: 'running', done: 0, finished_at: null, updated_at: 1 });
      const rerun = await waitFor(
        async () => {
          const job = (await api.request<Job>('GET', `/api/v1/bulk-jobs/${renew.body.id}`)).body;
          return job.finishedAt ? job : undefined;
        },
        'the reconciler to run the item again',
        30_000,
      );
      t.like(rerun, { state: 'finished', counts: { done: 1, left: 0 } });
      const items = await api.request<{ data: Body[] }>('GET', `/api/v1/bulk-jobs/${renew.body.id}/items`);
      t.like(items.body.data[0], { state: 'done', attempts: 2 });
      t.is(keyAtKa(target.keyNumber)?.expiresAt.toISOString(), renewedUntil, 'renewed once at the KA');
      const renewals = (
        await api.request<{ history: Body[] }>('GET', `/api/v1/licenses/${target.id}`)
      ).body.history.filter((e) => e.action === 'license.renewed');
      t.is(renewals.length, 1);

      const list = await api.request<{ data: Job[] }>('GET', '/api/v1/bulk-jobs?limit=2');
      t.deepEqual(
        list.body.data.map((j) => j.id),
        [renew.body.id, terminate.body.id],
      );
      const events = await api.request<{ data: Body[] }>(
        'GET',
        `/api/v1/audit-events?entity=bulk_job:${terminate.body.id}`,
      );
      t.deepEqual(events.body.data.map((e) => e.action).sort(), ['bulk_job.created', 'bulk_job.finished']);
    },
  );
}
