import test from 'ava';
import { startQuotaRig } from '../helpers/quota-rig.js';
import { testDialects } from '../helpers/test-database.js';

type Body = Record<string, unknown>;

// What the RAS guide lets a customer do, through the API with its own token, and never to another customer's keys.
for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: a customer token sees its keys with quotas, makes additional keys, sees and deactivates its farms, buys more; another customer's answer 404`,
    async (t) => {
      const rig = await startQuotaRig(dialect, 'soap', { planCode: 'customer-keys', ip: '203.0.113.68' });
      const { api } = rig;
      try {
        const { subscriptionId, license } = await rig.buy('customer-keys', 2);
        const tokenOf = async (customerId: number) =>
          (
            await api.request<Body>('POST', '/api/v1/api-tokens', {
              body: { name: `customer ${customerId}`, role: 'customer', customerId },
            })
          ).body.token as string;
        const stranger = (
          await api.request<Body>('POST', '/api/v1/customers', {
            body: { name: 'stranger', email: 'stranger@example.com' },
          })
        ).body.id as number;
        const mine = await tokenOf(rig.customerId);
        const theirs = await tokenOf(stranger);
        const as = (token: string) => ({
          req: <T = Body>(method: string, path: string, body?: unknown) =>
            api.request<T>(method, `/api/v1${path}`, { token, ...(body === undefined ? {} : { body }) }),
        });
        const me = as(mine);
        const them = as(theirs);

        const list = await me.req<{ data: Body[] }>('GET', `/licenses?customer=${stranger}`);
        t.is(list.status, 200);
        t.deepEqual(
          list.body.data.map((l) => l.id),
          [license.id],
          'its own licenses, whatever customer it asks for',
        );
        t.is(list.body.data[0]?.quota, 10);
        t.is((await them.req<{ data: Body[] }>('GET', '/licenses')).body.data.length, 0);
        t.is((await me.req('GET', `/licenses/${license.id}`)).status, 200);
        t.is((await them.req('GET', `/licenses/${license.id}`)).status, 404);

        const [file] = (await me.req<{ files: Body[] }>('GET', `/licenses/${license.id}`)).body.files;
        t.is((await me.req('GET', `/licenses/${license.id}/files/${file?.id}`)).status, 200);
        t.is((await them.req('GET', `/licenses/${license.id}/files/${file?.id}`)).status, 404);

        const keys = `/licenses/${license.id}/additional-keys`;
        t.is((await them.req('POST', keys, { quota: 2 })).status, 404);
        const made = await me.req<Body>('POST', keys, { quota: 3, name: 'Mine' });
        t.is(made.status, 201);
        t.is((await them.req('PATCH', `${keys}/${made.body.id}`, { quota: 4 })).status, 404);
        t.is((await me.req<Body>('PATCH', `${keys}/${made.body.id}`, { quota: 4 })).body.quota, 4);

        await rig.activateFarm(String(license.keyNumber), 'server-x', 'Mine');
        t.is((await them.req('GET', `/licenses/${license.id}/activations`)).status, 404);
        t.is((await me.req<{ active: number }>('GET', `/licenses/${license.id}/activations`)).body.active, 1);
        t.is(
          (
            await them.req('POST', `/licenses/${license.id}/activations/deactivate`, {
              activationKeys: [license.keyNumber],
            })
          ).status,
          404,
        );
        const freed = await me.req<{ active: number }>('POST', `/licenses/${license.id}/activations/deactivate`, {
          activationKeys: [license.keyNumber],
        });
        t.is(freed.body.active, 0);

        const change = { licenseId: license.id, quantity: 3, reference: 'customer-buys-more' };
        t.is((await them.req('POST', `/subscriptions/${subscriptionId}/changes`, change)).status, 404);
        const order = await me.req<Body>('POST', `/subscriptions/${subscriptionId}/changes`, change);
        t.is(order.status, 201);
        t.is(order.body.kind, 'upgrade');
        t.is(
          (await me.req('POST', `/orders/${order.body.id}/pay`, { paymentReference: 'x' })).status,
          403,
          'the store pays it',
        );

        t.is((await me.req('DELETE', `${keys}/${made.body.id}`)).status, 200);
      } finally {
        await rig.close();
      }
    },
  );
}
