import test, { type ExecutionContext } from 'ava';
import { addMonths } from '../../src/features/subscriptions/term-dates.js';
import type { Dialect } from '../../src/infra/db/database.js';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig, type TwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
type Renewal = Body & { orderId: number; licenses: Array<Body & { state: string }> };

const day = 24 * 60 * 60 * 1000;

/** Keyway paying due renewals itself, its scheduler every 200 ms, with the two-protocol plan. */
async function autoRenewRig(t: ExecutionContext, dialect: Dialect, planCode: string, ip: string) {
  const rig = await startTwoProtocolRig(dialect, {
    planCode,
    ip,
    env: { KEYWAY_AUTORENEW_PAYMENT: 'assume', KEYWAY_SCHEDULER_EVERY_MS: '200', KEYWAY_RENEWAL_NOTICE_DAYS: '7' },
  });
  t.teardown(() => rig.close());
  return rig;
}

/** The subscription's renewals, once the first is applied to both its licenses. */
function renewalsOnceApplied(api: TwoProtocolRig['api'], subscriptionId: number): Promise<Renewal[]> {
  return waitFor(
    async () => {
      const list = await api.request<{ data: Renewal[] }>('GET', `/api/v1/subscriptions/${subscriptionId}/renewals`);
      const [only] = list.body.data;
      return only && only.licenses.length === 2 && only.licenses.every((o) => o.state === 'succeeded')
        ? list.body.data
        : undefined;
    },
    `subscription ${subscriptionId}'s renewal paid by the scheduler to be applied to both licenses`,
    30_000,
  );
}

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: with KEYWAY_AUTORENEW_PAYMENT=assume the scheduler places and pays the renewal of a subscription due for it, once: the term moves from its expiry and every license is renewed at its KA`,
    async (t) => {
      const rig = await autoRenewRig(t, dialect, 'autorenew', '203.0.113.77');
      const { api } = rig;
      const { subscriptionId } = await rig.buyAndWaitInstalled('autorenew-1');
      // The term ends in three days: inside the notice, so the next pass renews it.
      const expiresAt = Date.now() + 3 * day;
      await api.running.context.db('subscriptions').where({ id: subscriptionId }).update({ expires_at: expiresAt });

      const renewal = await renewalsOnceApplied(api, subscriptionId);
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
    `${dialect}: six subscriptions due at once, paid in the same pass, are each renewed once with every license renewed`,
    async (t) => {
      const rig = await autoRenewRig(t, dialect, 'autorenew-many', '203.0.113.78');
      const { api } = rig;
      const bought = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => rig.buyAndWaitInstalled(`many-${n}`)));
      const ids = bought.map((b) => b.subscriptionId);
      // Every term ends in three days: one pass claims them all and pays them side by side.
      const expiresAt = Date.now() + 3 * day;
      await api.running.context.db('subscriptions').whereIn('id', ids).update({ expires_at: expiresAt });

      for (const id of ids) {
        const renewals = await renewalsOnceApplied(api, id);
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
