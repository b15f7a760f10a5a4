import test from 'ava';
import { startReferenceXmlRpcKa } from '../../plugins/parallels-ka/src/reference-server.js';
import { addMonths } from '../../src/features/subscriptions/term-dates.js';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi } from '../helpers/test-server.js';
import { startTwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
type Job = Body & { id: number; state: string; finishedAt: string | null; counts: Record<string, number> };
type LicenseBody = Body & {
  id: number;
  status: string;
  configurationId: number;
  keyNumber: string;
  predecessorLicenseId: number | null;
  successorLicenseId: number | null;
  migrations: Body[];
  history: Body[];
};

const productMap = { 'PLESK-12-WEB-HOST': 'PLESK-12-WEB-PRO' };

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: the XML-RPC tab migrates to a second reference KA as a bulk job: a dry run first, every license installed from the new KA, every old key terminated, one key each, also across a worker stopped mid-migration`,
    async (t) => {
      const env = { KEYWAY_LEASE_MS: '2000', KEYWAY_SHUTDOWN_TIMEOUT_MS: '300' };
      const rig = await startTwoProtocolRig(dialect, { planCode: 'migrate', ip: '203.0.113.60', env });
      const newKa = await startReferenceXmlRpcKa();
      let api = rig.api;
      let second: Awaited<ReturnType<typeof startTestApi>> | undefined;
      t.teardown(async () => {
        await second?.close();
        await rig.close();
        await newKa.close();
      });
      const bought = [
        ...(await rig.buyAndWaitInstalled('migrate-1')).licenses,
        ...(await rig.buyAndWaitInstalled('migrate-2')).licenses,
      ];
      const plesk = bought.filter((l) => l.configurationId === rig.xmlConfigurationId);
      const ras = bought.filter((l) => l.configurationId === rig.rasConfigurationId);
      const target = await api.request<Body>('POST', '/api/v1/ka-configurations', {
        body: {
          name: 'Plesk keys (new server)',
          plugin: 'parallels-ka',
          settings: {
            login: 'demo-partner',
            password: 'demo-password',
            timeoutMs: 2000,
            endpoint: newKa.url,
            clientId: 1001,
          },
        },
      });
      const targetConfigurationId = target.body.id as number;

      // Bad input names its field and changes nothing.
      const field = async (body: Body) => {
        const res = await api.request<{ error: { details: { fields: Array<{ field: string }> } } }>(
          'POST',
          '/api/v1/migrations',
          { body },
        );
        t.is(res.status, 400, JSON.stringify(res.body));
        return res.body.error.details.fields[0]?.field;
      };
      t.is(await field({ targetConfigurationId: 999, productMap, ids: [1], dryRun: true }), 'targetConfigurationId');
      t.is(await field({ targetConfigurationId, productMap: {}, ids: [1] }), 'productMap');
      t.is(await field({ targetConfigurationId, productMap, filter: { configuration: 'x' } }), 'filter.configuration');
      t.is(await field({ targetConfigurationId, productMap, filter: {}, ids: [1] }), 'filter');

      // A dry run over both tabs: the Plesk licenses map, the RAS product has no mapping; nothing moves.
      const dry = await api.request<{ dryRun: boolean; plan: Body & { unmapped: Body[]; mapped: Body[] } }>(
        'POST',
        '/api/v1/migrations',
        { body: { targetConfigurationId, productMap, ids: bought.map((l) => l.id), dryRun: true } },
      );
      t.is(dry.status, 200);
      t.like(dry.body.plan, { count: 4, toMigrate: 2, skipped: { unmapped_product: 2 } });
      t.deepEqual(dry.body.plan.mapped, [
        { product: 'PLESK-12-WEB-HOST', targetProduct: 'PLESK-12-WEB-PRO', licenses: 2, quantity: 2 },
      ]);
      t.like(dry.body.plan.unmapped[0], { product: 'RAS-SUBSCRIPTION', licenses: 2 });
      t.deepEqual(
        [...((dry.body.plan.unmapped[0]?.licenseIds as number[]) ?? [])].sort(),
        ras.map((l) => l.id as number).sort(),
      );
      t.is(newKa.authority.listKeys().length, 0);
      t.deepEqual((await api.request<{ data: Body[] }>('GET', '/api/v1/bulk-jobs')).body.data, []);

      // Destructive: the count must be confirmed.
      const filter = { configuration: rig.xmlConfigurationId };
      const unconfirmed = await api.request<{ error: Body }>('POST', '/api/v1/migrations', {
        body: { targetConfigurationId, productMap, filter },
      });
      t.is(unconfirmed.status, 409);
      t.like(unconfirmed.body.error, { code: 'confirmation_required', details: { count: 2 } });

      // The new KA answers slowly: the worker is stopped while both issue calls are in flight
      // (the keys made at the KA, their answers lost), and a new process takes over.
      newKa.authority.injectFault('createKey', { kind: 'latency', ms: 1200 }, { times: 2 });
      const run = await api.request<{ job: { id: number } }>('POST', '/api/v1/migrations', {
        body: { targetConfigurationId, productMap, filter, confirm: 2, note: 'new licensing server' },
      });
      t.is(run.status, 201, JSON.stringify(run.body));
      const jobId = run.body.job.id;
      await waitFor(async () => newKa.authority.listKeys().length === 2, 'both keys made at the new KA');
      const databaseUrl = api.running.context.config.databaseUrl;
      await api.running.close();
      second = await startTestApi(dialect, {
        KEYWAY_DB_URL: databaseUrl,
        KEYWAY_RETRY_INITIAL_DELAY_MS: '30',
        KEYWAY_RETRY_MAX_DELAY_MS: '200',
        KEYWAY_RECONCILE_EVERY_MS: '250',
        ...env,
      });
      api = second;

      const job = await waitFor(
        async () => {
          const j = (await api.request<Job>('GET', `/api/v1/bulk-jobs/${jobId}`)).body;
          return j.finishedAt ? j : undefined;
        },
        'the migrate bulk job to finish',
        30_000,
      );
      t.like(job, { action: 'migrate', state: 'finished', counts: { total: 2, done: 2, failed: 0 } });
      const ended = await waitFor(
        async () => {
          const all = await Promise.all(
            plesk.map(async (l) => (await api.request<LicenseBody>('GET', `/api/v1/licenses/${l.id}`)).body),
          );
          return all.every((l) => l.migrations[0]?.state === 'migrated') ? all : undefined;
        },
        'every migration to end',
        45_000,
      );
      // Read again: one read of a license takes its row and its migrations in two queries, so a
      // read made while the terminate operation committed can show the migration ended and the
      // row as it was. The operation ends both in one transaction.
      const migrated = await Promise.all(
        ended.map(async (l) => (await api.request<LicenseBody>('GET', `/api/v1/licenses/${l.id}`)).body),
      );
      const oldKeys = new Map(rig.xmlrpc.authority.listKeys().map((k) => [k.keyNumber, k]));
      const newKeys = newKa.authority.listKeys();
      t.is(newKeys.length, 2, 'one key per migrated license at the new KA, none twice');
      for (const old of migrated) {
        t.is(old.status, 'terminated');
        t.true(oldKeys.get(old.keyNumber)?.terminated, `old key ${old.keyNumber} terminated at the old KA`);
        t.truthy(old.successorLicenseId);
        t.truthy(old.history.find((e) => e.action === 'license.successor_installed'));
        t.truthy(old.history.find((e) => e.action === 'license.terminated'));
        const successor = (
          await api.request<LicenseBody & { request: Body; files: Body[] }>(
            'GET',
            `/api/v1/licenses/${old.successorLicenseId}`,
          )
        ).body;
        t.like(successor, {
          status: 'installed',
          configurationId: targetConfigurationId,
          product: 'PLESK-12-WEB-PRO',
          predecessorLicenseId: old.id,
          request: { source: 'migration', predecessorLicenseId: old.id, quantity: 1 },
        });
        t.true(successor.files.length > 0);
        // The answer was lost with the stopped worker: the new process looked the key up
        // at the KA (the XML-RPC KA lists candidates, Keyway claims one) instead of asking again.
        const issued = successor.history.find((e) => e.action === 'license_request.key_issued') as { data: Body };
        t.not(issued.data.how, 'issued');
        t.true(newKeys.some((k) => k.keyNumber === successor.keyNumber));
        t.like(successor.migrations[0], { state: 'migrated', licenseId: old.id, newLicenseId: successor.id });
      }
      // The RAS tab was not selected: untouched.
      for (const l of ras)
        t.is((await api.request<LicenseBody>('GET', `/api/v1/licenses/${l.id}`)).body.status, 'installed');

      // The bulk item run again, as after a worker that died before writing its outcome: nothing more.
      const { db } = api.running.context;
      await db('bulk_job_items')
        .where({ bulk_job_id: jobId })
        .update({ state: 'running', lease_until: 1, lease_token: 'dead-worker', finished_at: null });
      await db('bulk_jobs')
        .where({ id: jobId })
        .update({ state: 'running', done: 0, finished_at: null, updated_at: 1 });
      const rerun = await waitFor(
        async () => {
          const j = (await api.request<Job>('GET', `/api/v1/bulk-jobs/${jobId}`)).body;
          return j.finishedAt ? j : undefined;
        },
        'the items to run again',
        30_000,
      );
      t.like(rerun, { counts: { done: 2 } });
      t.is(newKa.authority.listKeys().length, 2);
      t.is(
        await db('license_migrations')
          .count({ n: '*' })
          .first()
          .then((r) => Number(r?.n)),
        2,
      );

      // Each migration told: license.migrated, on the new license.
      const events = await api.request<{ data: Body[] }>('GET', '/api/v1/events?type=license.migrated');
      t.is(events.body.data.length, 2);
    },
  );
}

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: a migration at renewal waits for the customer's renewal with auto-renew off and the customer told; the renewal is issued on the new server for the year added to the current expiry, then auto-renew is back on`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'migrate-renewal', ip: '203.0.113.61' });
      const newKa = await startReferenceXmlRpcKa();
      const { api } = rig;
      t.teardown(async () => {
        await rig.close();
        await newKa.close();
      });
      const { subscriptionId, licenses } = await rig.buyAndWaitInstalled('at-renewal-1');
      const plesk = licenses.find((l) => l.configurationId === rig.xmlConfigurationId) as Body;
      const ras = licenses.find((l) => l.configurationId === rig.rasConfigurationId) as Body;
      const target = await api.request<Body>('POST', '/api/v1/ka-configurations', {
        body: {
          name: 'Plesk keys (new server)',
          plugin: 'parallels-ka',
          settings: {
            login: 'demo-partner',
            password: 'demo-password',
            timeoutMs: 2000,
            endpoint: newKa.url,
            clientId: 1001,
          },
        },
      });
      const targetConfigurationId = target.body.id as number;
      const subscription = async () =>
        (await api.request<Body>('GET', `/api/v1/subscriptions/${subscriptionId}`)).body as Body & {
          autoRenew: boolean;
          expiresAt: string;
        };
      const before = await subscription();
      t.true(before.autoRenew);

      const run = await api.request<{ job: { id: number } }>('POST', '/api/v1/migrations', {
        body: { targetConfigurationId, productMap, ids: [plesk.id], atRenewal: true, confirm: 1 },
      });
      t.is(run.status, 201, JSON.stringify(run.body));
      await waitFor(
        async () =>
          (await api.request<Job>('GET', `/api/v1/bulk-jobs/${run.body.job.id}`)).body.finishedAt ?? undefined,
        'the bulk job to finish',
      );
      const items = await api.request<{ data: Body[] }>('GET', `/api/v1/bulk-jobs/${run.body.job.id}/items`);
      t.like(items.body.data[0], { state: 'done', resultCode: 'scheduled' });
      const scheduled = (await api.request<LicenseBody>('GET', `/api/v1/licenses/${plesk.id}`)).body;
      t.like(scheduled, { status: 'installed', successorLicenseId: null });
      t.like(scheduled.migrations[0], { state: 'scheduled', atRenewal: true, targetProduct: 'PLESK-12-WEB-PRO' });
      t.false((await subscription()).autoRenew);
      t.is(newKa.authority.listKeys().length, 0, 'nothing moves before the renewal');
      const announced = await api.request<{ data: Body[] }>('GET', '/api/v1/events?type=license.migration_announced');
      t.like(announced.body.data[0], { entity: { type: 'license', id: String(plesk.id) } });
      const { db } = api.running.context;
      await waitFor(
        async () =>
          (await db('mail_messages').where({ template: 'license.migration_announced' }).first()) !== undefined,
        'the announcement mail',
      );

      // The customer renews: a year added to the current expiry, issued on the new server.
      const order = await api.request<Body>('POST', `/api/v1/subscriptions/${subscriptionId}/renewals`, {
        body: { period: 12, reference: 'renew-on-new-server' },
      });
      const paid = await api.request<Body>('POST', `/api/v1/orders/${order.body.id}/pay`, {
        body: { paymentReference: 'pay-renew-on-new-server' },
      });
      t.is(paid.status, 201, JSON.stringify(paid.body));
      const renewed = await subscription();
      t.is(renewed.expiresAt, new Date(addMonths(Date.parse(before.expiresAt), 12)).toISOString());
      await waitFor(
        async () => {
          const l = (await api.request<LicenseBody>('GET', `/api/v1/licenses/${plesk.id}`)).body;
          return l.migrations[0]?.state === 'migrated' ? l : undefined;
        },
        'the migration at renewal to end',
        30_000,
      );
      // Read again, as above: the read that saw the migration end may hold the row from before.
      const old = (await api.request<LicenseBody>('GET', `/api/v1/licenses/${plesk.id}`)).body;
      t.is(old.status, 'terminated');
      t.falsy(
        old.history.find((e) => e.action === 'license.renewed'),
        'the old key was not renewed',
      );
      const successor = (
        await api.request<LicenseBody & { expiresAt: string }>('GET', `/api/v1/licenses/${old.successorLicenseId}`)
      ).body;
      t.like(successor, { status: 'installed', configurationId: targetConfigurationId, expiresAt: renewed.expiresAt });
      t.is(newKa.authority.listKeys().length, 1);
      // The other license of the subscription is renewed as usual.
      await waitFor(
        async () =>
          (await api.request<LicenseBody>('GET', `/api/v1/licenses/${ras.id}`)).body.history.some(
            (e) => e.action === 'license.renewed',
          ),
        'the RAS license to be renewed',
        30_000,
      );
      t.true((await subscription()).autoRenew, 'auto-renew back on once migrated');
    },
  );
}
