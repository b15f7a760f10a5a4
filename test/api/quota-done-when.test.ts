import test from 'ava';
import { type QuotaProtocol, startQuotaRig } from '../helpers/quota-rig.js';
import { testDialects } from '../helpers/test-database.js';

type Body = Record<string, unknown>;
type Answer = Body & { error: { code: string; details?: Record<string, unknown> } };
type Farms = {
  data: Array<Body & { activationKey: string; status: string }>;
  readAt: string;
  stale: boolean;
  active: number;
};

// Issue 15's "Done when", as an API test on a demo-like plan (RAS sold in packs of 5 users).
for (const dialect of testDialects()) {
  for (const protocol of ['soap', 'rest'] as QuotaProtocol[]) {
    test.serial(
      `${dialect} ${protocol}: 4 packs give a key of 4 × pack size; an additional key reserves part; a second asking more than is left is refused naming what is left; a farm the KA activated is listed and deactivating it frees the key`,
      async (t) => {
        const rig = await startQuotaRig(dialect, protocol, {
          planCode: `done-when-${protocol}`,
          ip: protocol === 'soap' ? '203.0.113.66' : '203.0.113.67',
        });
        const { api } = rig;
        try {
          const { license } = await rig.buy('four-packs', 4);
          t.is(license.quota, 4 * rig.packSize);
          const keys = `/api/v1/licenses/${license.id}/additional-keys`;
          const reserved = await api.request<Answer>('POST', keys, { body: { quota: 8, name: 'Branch' } });
          t.is(reserved.status, 201);
          const more = await api.request<Answer>('POST', keys, { body: { quota: 13, name: 'Too big' } });
          t.is(more.status, 409);
          t.is(more.body.error.code, 'quota_exceeded');
          t.is(more.body.error.details?.remaining, 12);
          t.regex(String((more.body.error as Body).message), /12/);

          const farmsPath = `/api/v1/licenses/${license.id}/activations`;
          const none = await api.request<Farms>('GET', farmsPath);
          t.is(none.status, 200);
          t.deepEqual(none.body.data, []);

          await rig.activateFarm(String(license.keyNumber), 'server-a', 'Farm A');
          await rig.activateFarm(String(reserved.body.keyNumber), 'server-b', 'Farm B');
          const listed = await api.request<Farms>('GET', farmsPath);
          t.is(listed.body.active, 2);
          t.like(
            listed.body.data.find((f) => f.activationKey === license.keyNumber),
            { farmName: 'Farm A', status: 'active', serverId: 'server-a', appVersion: '19.1', movesLeft: 3 },
          );
          t.false(listed.body.stale);
          t.truthy(listed.body.readAt);

          const noted = await api.request<Body>('PATCH', `${farmsPath}/note`, {
            body: { activationKey: license.keyNumber, note: 'Main office farm' },
          });
          t.is(noted.status, 200);
          t.is(noted.body.note, 'Main office farm');

          const deactivated = await api.request<Farms>('POST', `${farmsPath}/deactivate`, {
            body: { activationKeys: [license.keyNumber] },
          });
          t.is(deactivated.status, 200, JSON.stringify(deactivated.body));
          t.is(deactivated.body.active, 1);
          const farm = deactivated.body.data.find((f) => f.activationKey === license.keyNumber);
          t.like(farm, { status: 'deactivated', note: 'Main office farm' });
          // Free: another installation may activate the key now.
          await rig.activateFarm(String(license.keyNumber), 'server-c', 'Farm C');
          const active = await api.request<Farms>('GET', `${farmsPath}?status=active`);
          t.deepEqual(active.body.data.map((f) => f.serverId).sort(), ['server-b', 'server-c']);

          const csv = await fetch(`${api.url}${farmsPath}?format=csv`, {
            headers: { authorization: `Bearer ${api.adminToken}` },
          });
          t.is(csv.status, 200);
          const lines = (await csv.text()).trim().split('\r\n');
          t.is(lines[0]?.split(',')[0], 'activationKey');
          t.is(lines.length, 4);

          const unknownKey = await api.request<Answer>('POST', `${farmsPath}/deactivate`, {
            body: { activationKeys: ['NOT-OURS'] },
          });
          t.is(unknownKey.status, 409);
        } finally {
          await rig.close();
        }
      },
    );
  }
}
