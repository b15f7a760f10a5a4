import test from 'ava';
import { addMonths } from '../../src/features/subscriptions/term-dates.js';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
type Renewal = Body & { orderId: number; licenses: Array<Body & { state: string }> };

const day = 24 * 60 * 60 * 1000;

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: with KEYWAY_AUTORENEW_PAYMENT=assume the scheduler places and pays the renewal of a subscription due for it, once: the term moves from its expiry and every license is renewed at its KA`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, {
        planCode: 'autorenew',
        ip: '203.0.113.77',
        env: { KEYWAY_AUTORENEW_PAYMENT: 'assume', KEYWAY_SCHEDULER_EVERY_MS: '200', KEYWAY_RENEWAL_NOTICE_DAYS: '7' },
      });
      const { api } = rig;
      t.teardown(() => rig.close());
      const { subscriptionId } = await rig.buyAndWaitInstalled('autorenew-1');
      // The term ends in three days: inside the notice, so the next pass renews it.
      const expiresAt = Date.now() + 3 * day;
      await api.running.context.db('subscriptions').where({ id: subscriptionId }).update({ expires_at: expiresAt });

      const renewal = await waitFor(
        async () => {
          const list = await api.request<{ data: Renewal[] }>(
            'GET',
            `/api/v1/subscriptions/${subscriptionId}/renewals`,
          );
          const [only] = list.body.data;
          return only && only.licenses.length === 2 && only.licenses.every((o) => o.state === 'succeeded')
            ? list.body.data
            : undefined;
        },
        'the renewal paid by the scheduler to be applied to both licenses',
        30_000,
      );
      t.is(renewal.length, 1);
      const subscription = (await api.request<Body>('GET', `/api/v1/subscriptions/${subscriptionId}`)).body;
      const periodMonths = Number(subscription.period);
      t.is(subscription.expiresAt, new Date(addMonths(expiresAt, periodMonths)).toISOString());
      const order = (await api.request<Body>('GET', `/api/v1/orders/${renewal[0]?.orderId}`)).body;
      t.like(order, { kind: 'renewal', state: 'paid' });
      t.regex(String(order.reference), new RegExp(`^auto-renew-${subscriptionId}-`));

      // Later passes find the subscription renewed: no second order.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const after = await api.request<{ data: Renewal[] }>('GET', `/api/v1/subscriptions/${subscriptionId}/renewals`);
      t.is(after.body.data.length, 1);
    },
  );

  test.serial(
    `${dialect}: subscriptions due at once are renewed by payments in flight together, each once, every license renewed`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, {
        planCode: 'autorenew-many',
        ip: '203.0.113.78',
        env: { KEYWAY_AUTORENEW_PAYMENT: 'assume', KEYWAY_SCHEDULER_EVERY_MS: '200', KEYWAY_RENEWAL_NOTICE_DAYS: '7' },
      });
      const { api } = rig;
      t.teardown(() => rig.close());
      const bought = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => rig.buyAndWaitInstalled(`many-${n}`)));
      const ids = bought.map((b) => b.subscriptionId);
      // Every term ends in three days: one pass claims them all and pays them side by side.
      const expiresAt = Date.now() + 3 * day;
      await api.running.context.db('subscriptions').whereIn('id', ids).update({ expires_at: expiresAt });

      for (const id of ids) {
        const renewals = await waitFor(
          async () => {
            const list = await api.request<{ data: Renewal[] }>('GET', `/api/v1/subscriptions/${id}/renewals`);
            const [only] = list.body.data;
            return only && only.licenses.length === 2 && only.licenses.every((o) => o.state === 'succeeded')
              ? list.body.data
              : undefined;
          },
          `subscription ${id}'s renewal applied to both licenses`,
          30_000,
        );
        t.is(renewals.length, 1, `subscription ${id} renewed once`);
        const subscription = (await api.request<Body>('GET', `/api/v1/subscriptions/${id}`)).body;
        t.is(subscription.expiresAt, new Date(addMonths(expiresAt, Number(subscription.period))).toISOString());
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const renewalOrders = await api.running.context
        .db('orders')
        .where({ kind: 'renewal', state: 'paid' })
        .whereIn('renews_subscription_id', ids)
        .count({ n: '*' })
        .first();
      t.is(Number(renewalOrders?.n), ids.length, 'one paid renewal order per subscription');
      t.is(
        Number(
          (
            await api.running.context
              .db('audit_events')
              .where({ action: 'subscription.autopay_failed' })
              .count({ n: '*' })
              .first()
          )?.n,
        ),
        0,
      );
    },
  );
}
