import test from 'ava';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig } from '../helpers/two-protocol-rig.js';

type Body = Record<string, unknown>;
type Problem = { error: { code: string; details: { fields: Array<{ field: string; message: string }> } } };

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: staff transfer a license with its request to another subscription or customer, audited; mismatches are refused naming the field`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'transfer', ip: '203.0.113.70' });
      const { api } = rig;
      t.teardown(() => rig.close());
      const first = await rig.buyAndWaitInstalled('transfer-1');
      const second = await rig.buyAndWaitInstalled('transfer-2');
      const license = first.licenses[0] as Body;
      const other = await api.request<Body>('POST', '/api/v1/customers', {
        body: { name: 'Other', email: 'other@example.com' },
      });
      const otherId = other.body.id as number;
      const owner = (await api.request<Body>('GET', `/api/v1/subscriptions/${first.subscriptionId}`)).body
        .customerId as number;
      const path = `/api/v1/licenses/${license.id}/transfer`;
      const refused = async (body: Body, status = 400) => {
        const res = await api.request<Problem>('POST', path, { body });
        t.is(res.status, status, JSON.stringify(res.body));
        return res.body.error.details.fields[0]?.field;
      };

      const viewer = await api.request<Body>('POST', '/api/v1/api-tokens', { body: { name: 'v', role: 'viewer' } });
      t.is(
        (await api.request('POST', path, { token: String(viewer.body.token), body: { customerId: otherId } })).status,
        403,
      );
      t.is(await refused({}), 'customerId');
      t.is(await refused({ customerId: 999_999 }), 'customerId');
      t.is(await refused({ subscriptionId: 999_999 }), 'subscriptionId');
      t.is(await refused({ customerId: otherId, subscriptionId: second.subscriptionId }), 'subscriptionId');
      t.is(await refused({ subscriptionId: first.subscriptionId }), 'subscriptionId');
      t.is(await refused({ customerId: 'x' }), 'customerId');
      t.like((await api.request<Body>('GET', `/api/v1/licenses/${license.id}`)).body, {
        subscriptionId: first.subscriptionId,
        customerId: owner,
      });

      // Into another subscription of the same customer: the license and its request move.
      const moved = await api.request<Body>('POST', path, {
        body: { subscriptionId: second.subscriptionId, note: 'merged subscriptions' },
      });
      t.is(moved.status, 200);
      t.like(moved.body, { subscriptionId: second.subscriptionId, customerId: owner });
      const details = (
        await api.request<Body & { request: Body; history: Body[] }>('GET', `/api/v1/licenses/${license.id}`)
      ).body;
      t.like(details.request, { subscriptionId: second.subscriptionId, customerId: owner });
      t.like(
        details.history.find((e) => e.action === 'license.transferred'),
        {
          actor: { type: 'api' },
          data: {
            from: { customerId: owner, subscriptionId: first.subscriptionId },
            to: { customerId: owner, subscriptionId: second.subscriptionId },
            note: 'merged subscriptions',
          },
        },
      );
      t.truthy(details.history.find((e) => e.action === 'license_request.transferred'));
      const subscription = await api.request<{ licenses: Body[] }>(
        'GET',
        `/api/v1/subscriptions/${second.subscriptionId}`,
      );
      t.true(subscription.body.licenses.some((l) => l.id === license.id));

      // To another customer alone: out of any subscription.
      const away = await api.request<Body>('POST', path, { body: { customerId: otherId } });
      t.is(away.status, 200);
      t.like(away.body, { customerId: otherId, subscriptionId: null });
    },
  );
}
