import test from 'ava';
import { Webhook } from 'standardwebhooks';
import { startReferenceRestKa } from '../../plugins/rest-ka/src/reference-server.js';
import { LicenseAuthority, startInstallTargetServer } from '../../src/reference-ka/index.js';
import { installToken } from '../helpers/pipeline-harness.js';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi, type TestApi } from '../helpers/test-server.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
type Standing = {
  saas: boolean;
  quota: number | null;
  lastPeak: number;
  daysMissing: number;
  overusedSince: string | null;
  graceEndsAt: string | null;
  expiredAt: string | null;
  farm: string | null;
  buyMore: { units: number; packs?: number } | null;
};

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** Keyway and the REST reference KA on one clock the test moves; a plan selling the SaaS product. */
async function startRig(dialect: 'sqlite' | 'mysql') {
  const shift = { ms: 0 };
  const clock = () => Date.now() + shift.ms;
  const authority = new LicenseAuthority({ demo: true, clock: () => new Date(clock()) });
  const ka = await startReferenceRestKa({ authority });
  const target = await startInstallTargetServer({ token: installToken });
  const api = await startTestApi(
    dialect,
    { KEYWAY_RETRY_INITIAL_DELAY_MS: '30', KEYWAY_RETRY_MAX_DELAY_MS: '200', KEYWAY_RECONCILE_EVERY_MS: '250' },
    { clock },
  );
  const close = async () => {
    await api.close();
    await Promise.all([ka.close(), target.close()]);
  };
  const configuration = await api.request<Body>('POST', '/api/v1/ka-configurations', {
    body: {
      name: 'SaaS keys',
      plugin: 'rest-ka',
      settings: { endpoint: ka.url, login: 'demo-partner', password: 'demo-password', timeoutMs: 2000 },
    },
  });
  const configurationId = configuration.body.id as number;
  const plan = await api.request<Body>('POST', '/api/v1/plans', {
    body: {
      code: 'saas',
      name: 'SaaS',
      periods: [12],
      services: [
        {
          key: 'hosting',
          kind: 'hosting',
          provisioner: 'instant',
          settings: { installUrl: target.url, installToken, ips: ['203.0.113.90'] },
        },
      ],
      licenseProducts: [{ configurationId, product: 'RAS-SAAS', quantity: 5, serviceKey: 'hosting', saas: true }],
    },
  });
  const customer = await api.request<Body>('POST', '/api/v1/customers', {
    body: { name: 'SaaS customer', email: 'saas@example.com' },
  });
  const order = await api.request<Body>('POST', '/api/v1/orders', {
    body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference: 'saas-1' },
  });
  const paid = await api.request<{ subscription: Body }>('POST', `/api/v1/orders/${order.body.id}/pay`, {
    body: { paymentReference: 'pay-saas-1' },
  });
  const license = await waitFor(
    async () => {
      const s = await api.request<{ licenses: Body[] }>('GET', `/api/v1/subscriptions/${paid.body.subscription.id}`);
      return s.body.licenses[0]?.status === 'installed' ? s.body.licenses[0] : undefined;
    },
    'the SaaS license to be installed',
    30_000,
  );
  return { api, ka, authority, shift, clock, configurationId, license, close };
}

async function knob(url: string, path: string, body: Body): Promise<void> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
}

async function pass(api: TestApi): Promise<void> {
  const scheduler = api.running.scheduler;
  if (!scheduler) throw new Error('no scheduler in this process');
  await scheduler.runOnce();
}

async function standing(api: TestApi, licenseId: unknown): Promise<Standing> {
  const res = await api.request<{ standing: Standing }>('GET', `/api/v1/licenses/${licenseId}/usage`);
  return res.body.standing;
}

async function eventsOf(api: TestApi, type: string, licenseId: unknown): Promise<Body[]> {
  const res = await api.request<{ data: Body[] }>('GET', `/api/v1/events?type=${type}&entity=license:${licenseId}`);
  return res.body.data;
}

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: the KA reporting usage above the quota shows the license Overused with its grace end after one scheduler pass; reports stopped show the missing days, and 7 days on the key expires; the month's report lists it as CSV`,
    async (t) => {
      const rig = await startRig(dialect);
      t.teardown(() => rig.close());
      const { api, ka, license } = rig;
      const key = String(license.keyNumber);
      await knob(ka.url, `/_reference/keys/${encodeURIComponent(key)}/activations`, { serverId: 'srv-1', usage: 2 });
      await knob(ka.url, `/_reference/keys/${encodeURIComponent(key)}/usage`, { usage: 8 });
      rig.shift.ms += 30 * 60 * 1000;

      await pass(api);
      const over = await standing(api, license.id);
      t.true(over.saas);
      t.is(over.quota, 5);
      t.is(over.lastPeak, 8);
      t.truthy(over.overusedSince, 'Overused since');
      t.is(Date.parse(String(over.graceEndsAt)) - Date.parse(String(over.overusedSince)), 7 * DAY);
      t.deepEqual(over.buyMore, { units: 8 }, 'buy more: the peak, no packs');
      t.is((await eventsOf(api, 'usage.overuse_started', license.id)).length, 1);
      await pass(api);
      t.is((await eventsOf(api, 'usage.overuse_started', license.id)).length, 1, 'a second pass tells nothing again');

      // The installation stops reporting: missing days, warned on days 1, 3 and 6.
      await knob(ka.url, `/_reference/keys/${encodeURIComponent(key)}/usage`, { reporting: false });
      for (const days of [1, 3, 6]) {
        rig.shift.ms += (days === 1 ? 1 : days === 3 ? 2 : 3) * DAY;
        await pass(api);
        const silent = await standing(api, license.id);
        t.is(silent.daysMissing, days);
        t.is(silent.expiredAt, null);
      }
      const warnings = await eventsOf(api, 'usage.missing_reports', license.id);
      t.deepEqual(warnings.map((e) => (e.data as Body).day).sort(), [1, 3, 6]);

      rig.shift.ms += 1.5 * DAY;
      await pass(api);
      const expired = await standing(api, license.id);
      t.truthy(expired.expiredAt, 'expired: no reports for 7 days');
      t.is((await eventsOf(api, 'usage.saas_expired', license.id)).length, 1);
      const shown = await api.request<Body>('GET', `/api/v1/licenses/${license.id}`);
      t.is(shown.body.expiresAt, expired.expiredAt, "the license's expiry is the KA's");
      t.true(Date.parse(String(shown.body.expiresAt)) <= rig.clock());

      // The 1st of the next month: the previous month's report is built by the pass.
      const now = new Date(rig.clock());
      const reported = now.toISOString().slice(0, 7);
      rig.shift.ms += Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 1) - rig.clock();
      t.is((await api.request('GET', `/api/v1/usage-reports?month=${reported}`)).status, 404, 'not built before');
      await pass(api);
      const csv = await fetch(`${api.url}/api/v1/usage-reports?month=${reported}&format=csv`, {
        headers: { authorization: `Bearer ${api.adminToken}` },
      });
      t.is(csv.status, 200);
      t.regex(csv.headers.get('content-type') ?? '', /text\/csv/);
      const lines = (await csv.text()).trim().split('\n');
      t.is(
        lines[0],
        'month,license_id,customer_id,configuration_id,key_number,product,saas,quota,peak,average,days_reported,days_missing',
      );
      const row = lines.find((l) => l.includes(key))?.split(',');
      t.truthy(row, "the license's line");
      t.is(row?.[5], 'RAS-SAAS');
      t.is(row?.[6], 'true');
      t.is(Number(row?.[10]) + Number(row?.[11]) <= 31, true);
      t.true(Number(row?.[11]) >= 1, 'days missing counted');
      const json = await api.request<{ data: Body[]; totals: Body }>('GET', `/api/v1/usage-reports?month=${reported}`);
      t.is(json.body.data.length, 1);
      t.like(json.body.data[0], { keyNumber: key, saas: true, quota: 5 });
      const bad = await api.request<{ error: { details: Body } }>('GET', '/api/v1/usage-reports?month=2024-13');
      t.is(bad.status, 400);
      t.regex(JSON.stringify(bad.body.error.details), /month/);
    },
  );

  test.serial(
    `${dialect}: after the overuse grace the license shows Farm deactivated while over and Reactivated once back under, as the KA did; notices at start, a day before the end and at the end`,
    async (t) => {
      const rig = await startRig(dialect);
      t.teardown(() => rig.close());
      const { api, ka, license } = rig;
      const key = encodeURIComponent(String(license.keyNumber));
      await knob(ka.url, `/_reference/keys/${key}/activations`, { serverId: 'srv-2', usage: 9 });
      rig.shift.ms += 30 * 60 * 1000;
      await pass(api);
      t.truthy((await standing(api, license.id)).overusedSince);
      rig.shift.ms += 6 * DAY + HOUR;
      await pass(api);
      t.is((await eventsOf(api, 'usage.overuse_grace_ending', license.id)).length, 1);
      t.is((await standing(api, license.id)).farm, null, 'within the grace the farm works');
      rig.shift.ms += DAY;
      await pass(api);
      t.is((await eventsOf(api, 'usage.overuse_grace_ended', license.id)).length, 1);
      const blocked = await standing(api, license.id);
      t.is(blocked.farm, 'deactivated', 'Farm deactivated: read from the KA');
      t.is((await eventsOf(api, 'usage.farm_deactivated', license.id)).length, 1);

      await knob(ka.url, `/_reference/keys/${key}/usage`, { usage: 3 });
      rig.shift.ms += DAY;
      await pass(api);
      const back = await standing(api, license.id);
      t.is(back.farm, 'reactivated', 'Reactivated: the KA let the farm work again');
      t.is(back.overusedSince, null);
      t.is((await eventsOf(api, 'usage.farm_reactivated', license.id)).length, 1);
    },
  );

  test.serial(
    `${dialect}: usage pushed with a Standard Webhooks signature is recorded once per report id; unsigned or wrongly signed pushes are refused`,
    async (t) => {
      const rig = await startRig(dialect);
      t.teardown(() => rig.close());
      const { api, license, configurationId } = rig;
      const secret = await api.request<{ secret: string }>(
        'POST',
        `/api/v1/ka-configurations/${configurationId}/usage-push-secret`,
      );
      t.is(secret.status, 201);
      const day = new Date(rig.clock()).toISOString().slice(0, 10);
      const body = JSON.stringify({
        configurationId,
        days: [{ keyNumber: license.keyNumber, day, peak: 4, lastReportAt: new Date(rig.clock()).toISOString() }],
      });
      const push = (id: string, key = secret.body.secret) => {
        const at = new Date();
        const signature = new Webhook(key).sign(id, at, body);
        return api.request<Body>('POST', '/api/v1/usage-reports/ingest', {
          token: null,
          rawBody: body,
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': signature,
          },
        });
      };
      const first = await push('report-1');
      t.is(first.status, 201);
      t.like(first.body, { duplicate: false, recorded: 1 });
      const again = await push('report-1');
      t.like(again.body, { duplicate: true, recorded: 0 });
      const forged = await push('report-2', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
      t.is(forged.status, 401);
      const unsigned = await api.request('POST', '/api/v1/usage-reports/ingest', { token: null, rawBody: body });
      t.is(unsigned.status, 401);
      await pass(api);
      const usage = await api.request<{ days: Body[]; standing: Standing }>(
        'GET',
        `/api/v1/licenses/${license.id}/usage`,
      );
      t.is(usage.body.days.length, 1);
      t.like(usage.body.days[0], { day, peak: 4 });
      t.is(usage.body.standing.overusedSince, null, '4 of 5: not overused');
    },
  );
}
