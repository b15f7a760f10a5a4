import test from 'ava';
import { addMonths } from '../../src/features/subscriptions/term-dates.js';
import { enqueueOperation } from '../../src/features/licenses/license-operation-jobs.js';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig, type TwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
type Operation = Body & { licenseId: number; state: string; id: number };
type Renewal = Body & { id: number; orderId: number; licenses: Operation[] };

const months12 = (iso: unknown) => new Date(addMonths(Date.parse(String(iso)), 12)).toISOString();

async function renewAndPay(rig: TwoProtocolRig, subscriptionId: number, reference: string): Promise<Body> {
  const order = await rig.api.request<Body>('POST', `/api/v1/subscriptions/${subscriptionId}/renewals`, {
    body: { period: 12, reference },
  });
  const paid = await rig.api.request<Body>('POST', `/api/v1/orders/${order.body.id}/pay`, {
    body: { paymentReference: `pay-${reference}` },
  });
  if (paid.status !== 201) throw new Error(`pay answered ${paid.status}: ${JSON.stringify(paid.body)}`);
  return order.body;
}

/** The renewal of `orderId`, once every license's operation is in one of `states`. */
function renewalSettled(rig: TwoProtocolRig, subscriptionId: number, orderId: unknown, states: string[]) {
  return waitFor(
    async () => {
      const list = await rig.api.request<{ data: Renewal[] }>(
        'GET',
        `/api/v1/subscriptions/${subscriptionId}/renewals`,
      );
      const renewal = list.body.data.find((r) => r.orderId === orderId);
      return renewal && renewal.licenses.length > 0 && renewal.licenses.every((o) => states.includes(o.state))
        ? renewal
        : undefined;
    },
    `the renewal's license operations to be ${states.join(' or ')}`,
    30_000,
  );
}

function installedAgain(rig: TwoProtocolRig, licenseId: unknown, after: unknown) {
  return waitFor(
    async () => {
      const l = await rig.api.request<Body & { files: Body[] }>('GET', `/api/v1/licenses/${licenseId}`);
      return l.body.status === 'installed' && Date.parse(String(l.body.installedAt)) > Date.parse(String(after))
        ? l.body
        : undefined;
    },
    'the renewed file to be installed',
    30_000,
  );
}

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: a paid renewal order extends the subscription and its licenses from their expiry, installs a new file revision, and is idempotent on its reference`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'renewals', ip: '203.0.113.41' });
      const { api, xmlrpc } = rig;
      try {
        const { subscriptionId, licenses } = await rig.buyAndWaitInstalled('renew-1');
        const ras = licenses.find((l) => l.configurationId === rig.rasConfigurationId) as Body & { files: Body[] };
        const plesk = licenses.find((l) => l.configurationId === rig.xmlConfigurationId) as Body;
        const before = (await api.request<Body>('GET', `/api/v1/subscriptions/${subscriptionId}`)).body;
        const rasBefore = (await api.request<Body & { files: Body[] }>('GET', `/api/v1/licenses/${ras.id}`)).body;
        t.is(rasBefore.termKind, 'term');
        t.is(plesk.termKind, 'lease');
        t.is(plesk.expiresAt, before.expiresAt, "a leased key's license expires with its subscription");
        t.not(plesk.keyExpiresAt, plesk.expiresAt, 'the lease period ends earlier');
        const keysBefore = xmlrpc.authority.listKeys().length;

        const order = await api.request<Body>('POST', `/api/v1/subscriptions/${subscriptionId}/renewals`, {
          body: { period: 12, reference: 'renewal-2027' },
        });
        t.is(order.status, 201);
        t.like(order.body, { kind: 'renewal', state: 'placed', period: 12, subscriptionId });
        const again = await api.request<Body>('POST', `/api/v1/subscriptions/${subscriptionId}/renewals`, {
          body: { period: 12, reference: 'renewal-2027' },
        });
        t.is(again.status, 200);
        t.is(again.body.id, order.body.id, 'the same reference answers the same order');
        const reused = await api.request<{ error: Body }>('POST', `/api/v1/subscriptions/${subscriptionId}/renewals`, {
          body: { period: 24, reference: 'renewal-2027' },
        });
        t.is(reused.status, 409);
        t.is(reused.body.error.code, 'reference_reused');
        const bad = await api.request<{ error: Body }>('POST', `/api/v1/subscriptions/${subscriptionId}/renewals`, {
          body: { period: 'a year', reference: 'x' },
        });
        t.is(bad.status, 400);

        const paid = await api.request<{ order: Body; subscription: Body }>(
          'POST',
          `/api/v1/orders/${order.body.id}/pay`,
          {
            body: { paymentReference: 'pay-renewal-2027' },
          },
        );
        t.is(paid.status, 201);
        t.is(paid.body.subscription.expiresAt, months12(before.expiresAt), 'the period is added to the current expiry');
        const payAgain = await api.request<Body>('POST', `/api/v1/orders/${order.body.id}/pay`, {
          body: { paymentReference: 'pay-renewal-2027' },
        });
        t.is(payAgain.status, 200);
        // Duplicated jobs race the first ones: the lease and the guarded moves let one act.
        const queued = await api.request<{ data: Renewal[] }>(
          'GET',
          `/api/v1/subscriptions/${subscriptionId}/renewals`,
        );
        const queue = api.running.context.queue;
        for (const operation of queued.body.data[0]?.licenses ?? [])
          for (const copy of ['a', 'b']) await enqueueOperation(queue, operation.id, 'pending', 0, { idSuffix: copy });

        const renewal = await renewalSettled(rig, subscriptionId, order.body.id, ['succeeded']);
        t.is(renewal.fromExpiresAt, before.expiresAt);
        t.is(renewal.toExpiresAt, months12(before.expiresAt));
        t.is(renewal.licenses.length, 2);

        const rasAfter = await installedAgain(rig, ras.id, rasBefore.installedAt);
        t.is(rasAfter.expiresAt, months12(rasBefore.expiresAt), 'the term key is renewed from its own expiry');
        t.not(rasAfter.revision, rasBefore.revision, 'a new file revision');
        t.not(rasAfter.files[0]?.sha256, rasBefore.files[0]?.sha256, 'the renewed file is the installed one');
        const keyAtKa = xmlrpc.authority.listKeys().find((k) => k.keyNumber === ras.keyNumber);
        t.is(keyAtKa?.expiresAt.toISOString(), String(rasAfter.expiresAt), 'renewed once at the KA');

        const pleskAfter = (await api.request<Body>('GET', `/api/v1/licenses/${plesk.id}`)).body;
        t.is(pleskAfter.expiresAt, months12(before.expiresAt), "the lease's term moves with its subscription");
        t.is(pleskAfter.keyExpiresAt, plesk.keyExpiresAt, 'the KA renews the lease itself: nothing sent');
        t.is(xmlrpc.authority.listKeys().length, keysBefore, 'a renewal makes no new key');

        const events = await waitFor(async () => {
          const list = await api.request<{ data: Body[] }>('GET', `/api/v1/events?type=license.renewed`);
          return list.body.data;
        }, 'the events');
        t.is(events.length, 2, 'one license.renewed per license');
        const subscriptionEvents = await api.request<{ data: Body[] }>(
          'GET',
          '/api/v1/events?type=subscription.renewed',
        );
        t.is(subscriptionEvents.body.data.length, 1);
        t.is(
          xmlrpc.authority
            .listKeys()
            .find((k) => k.keyNumber === ras.keyNumber)
            ?.expiresAt.toISOString(),
          String(rasAfter.expiresAt),
          'the duplicated jobs renewed nothing more',
        );
      } finally {
        await rig.close();
      }
    },
  );

  test.serial(
    `${dialect}: a renewal whose answer is lost after the KA applied it is settled by reading the key, never renewed twice; a refusal goes to staff, who retry or cancel it`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'renewals-faults', ip: '203.0.113.42' });
      const { api, xmlrpc } = rig;
      try {
        const { subscriptionId, licenses } = await rig.buyAndWaitInstalled('renew-2');
        const ras = licenses.find((l) => l.configurationId === rig.rasConfigurationId) as Body;
        const expiryAtKa = () =>
          xmlrpc.authority
            .listKeys()
            .find((k) => k.keyNumber === ras.keyNumber)
            ?.expiresAt.toISOString();
        const first = expiryAtKa();

        // The KA renews, then the connection drops before its answer.
        xmlrpc.authority.injectFault('RenewKey', { kind: 'drop' }, { times: 1 });
        const lost = await renewAndPay(rig, subscriptionId, 'renewal-lost');
        const settled = await renewalSettled(rig, subscriptionId, lost.id, ['succeeded']);
        t.is(expiryAtKa(), months12(first), 'renewed once, by 12 months');
        const rasOperation = settled.licenses.find((o) => o.licenseId === ras.id) as Operation;
        const history = await api.request<{ data: Body[] }>(
          'GET',
          `/api/v1/audit-events?entity=license_operation:${rasOperation.id}`,
        );
        const actions = (history.body.data ?? []).map((e) => e.action);
        t.true(actions.includes('license_operation.outcome_unknown'), JSON.stringify(actions));
        t.like(rasOperation.result, { how: 'read' });

        // The KA refuses for good: staff have it, nothing changed at the KA.
        const renewedOnce = expiryAtKa();
        xmlrpc.authority.injectFault(
          'RenewKey',
          { kind: 'result', code: 'renew_refused', message: 'no' },
          { times: 1 },
        );
        const refused = await renewAndPay(rig, subscriptionId, 'renewal-refused');
        const manual = await renewalSettled(rig, subscriptionId, refused.id, ['needs_manual', 'succeeded']);
        const stuck = manual.licenses.find((o) => o.licenseId === ras.id) as Operation;
        t.is(stuck.state, 'needs_manual');
        t.regex(String(stuck.reason), /refused/);
        t.is(expiryAtKa(), renewedOnce);
        // Staff retry it: the KA renews this time.
        const retried = await api.request<Body>('POST', `/api/v1/license-operations/${stuck.id}/retry`);
        t.is(retried.status, 200);
        await renewalSettled(rig, subscriptionId, refused.id, ['succeeded']);
        t.is(expiryAtKa(), months12(renewedOnce));
        const notWaiting = await api.request<{ error: Body }>('POST', `/api/v1/license-operations/${stuck.id}/cancel`);
        t.is(notWaiting.status, 409);

        // Refused again, and cancelled by staff.
        xmlrpc.authority.injectFault(
          'RenewKey',
          { kind: 'result', code: 'renew_refused', message: 'no' },
          { times: 1 },
        );
        const third = await renewAndPay(rig, subscriptionId, 'renewal-cancelled');
        const waiting = await renewalSettled(rig, subscriptionId, third.id, ['needs_manual', 'succeeded']);
        const toCancel = waiting.licenses.find((o) => o.licenseId === ras.id) as Operation;
        const cancelled = await api.request<Body>('POST', `/api/v1/license-operations/${toCancel.id}/cancel`, {
          body: { note: 'renewed by hand at the KA' },
        });
        t.is(cancelled.body.state, 'cancelled');
        // The license is free again for staff's own actions.
        const suspended = await api.request<Body>('POST', `/api/v1/licenses/${ras.id}/suspend`);
        t.is(suspended.status, 200);
      } finally {
        await rig.close();
      }
    },
  );

  test.serial(
    `${dialect}: a lease the KA renewed itself gets its new file revision fetched and installed by the refresh sweep, the older revision kept`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'renewals-refresh', ip: '203.0.113.43' });
      const { api, xmlrpc } = rig;
      try {
        const { licenses } = await rig.buyAndWaitInstalled('refresh-1');
        const plesk = (
          await api.request<Body & { files: Body[] }>(
            'GET',
            `/api/v1/licenses/${licenses.find((l) => l.configurationId === rig.xmlConfigurationId)?.id}`,
          )
        ).body;
        t.is(plesk.termKind, 'lease');
        t.truthy(plesk.refreshDueAt, 'due when the lease period ends');
        // A month passes at the KA: it renews the lease with a new revision. Keyway's own clock
        // has not moved, so the refresh is made due as the month passing would.
        xmlrpc.authority.advanceClock(32 * 24 * 3600 * 1000);
        const { db } = api.running.context;
        await db('licenses')
          .where({ id: plesk.id })
          .update({ refresh_due_at: Date.now() - 1 });
        const after = await installedAgain(rig, plesk.id, plesk.installedAt);
        t.not(after.revision, plesk.revision);
        t.true(
          Date.parse(String(after.keyExpiresAt)) > Date.parse(String(plesk.keyExpiresAt)),
          "the lease's new period",
        );
        t.is(after.expiresAt, plesk.expiresAt, 'the term still ends with the subscription');
        t.not(after.files[0]?.sha256, plesk.files[0]?.sha256);
        const generations = await db('license_files')
          .where({ license_id: plesk.id })
          .select('generation', 'sha256', 'revision');
        t.is(generations.length, 2, 'the older revision is kept');
        t.deepEqual(generations.map((g) => Number(g.generation)).sort(), [1, 2]);
      } finally {
        await rig.close();
      }
    },
  );
}
