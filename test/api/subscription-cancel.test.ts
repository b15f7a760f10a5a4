import test from 'ava';
import { AuditStore } from '../../src/features/audit/audit-store.js';
import { outboxEventWriter } from '../../src/features/events/record-event.js';
import { enqueueOperation } from '../../src/features/licenses/license-operation-jobs.js';
import { LicenseStore } from '../../src/features/licenses/license-store.js';
import { WorkedOperationStore } from '../../src/features/licenses/worked-operation-store.js';
import { createSubscriptionActionsFeature } from '../../src/features/subscription-actions/subscription-actions-feature.js';
import { SubscriptionStore } from '../../src/features/subscriptions/subscription-store.js';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig, type TwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { waitFor } from '../helpers/wait-for.js';
import { subscriptionDetailsSchema } from '../../src/read-models/subscription-view-schema.js';

type Body = Record<string, unknown>;
type Operation = Body & { id: number; licenseId: number; kind: string; state: string };
type Subscription = Body & { state: string; cancelsAt: string | null; licenses: Array<Body & { id: number }> };

/** Counts the KA's terminations and suspensions per key, at the authority behind both reference KAs. */
function countCalls(rig: TwoProtocolRig) {
  const authority = rig.xmlrpc.authority;
  const calls = { terminate: new Map<string, number>(), suspend: new Map<string, number>() };
  const terminate = authority.terminateKey.bind(authority);
  const setSuspended = authority.setSuspended.bind(authority);
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  authority.terminateKey = (clientId, key) => {
    bump(calls.terminate, key);
    return terminate(clientId, key);
  };
  authority.setSuspended = (clientId, key, suspended) => {
    if (suspended) bump(calls.suspend, key);
    return setSuspended(clientId, key, suspended);
  };
  return calls;
}

const keyAtKa = (rig: TwoProtocolRig, keyNumber: unknown) =>
  rig.xmlrpc.authority.listKeys().find((k) => k.keyNumber === keyNumber);

async function subscriptionOf(rig: TwoProtocolRig, id: number): Promise<Subscription> {
  return (await rig.api.request<Subscription>('GET', `/api/v1/subscriptions/${id}`)).body;
}

/** The subscription's license operations of `kind`, once there are `count` and each is in one of `states`. */
function operationsSettled(rig: TwoProtocolRig, id: number, kind: string, count: number, states: string[]) {
  return waitFor(
    async () => {
      const list = await rig.api.request<{ data: Operation[] }>(
        'GET',
        `/api/v1/subscriptions/${id}/license-operations`,
      );
      const ops = list.body.data.filter((o) => o.kind === kind);
      return ops.length === count && ops.every((o) => states.includes(o.state)) ? ops : undefined;
    },
    `${count} ${kind} operations to be ${states.join(' or ')}`,
    30_000,
  );
}

async function eventsOf(rig: TwoProtocolRig, type: string): Promise<Body[]> {
  return (await rig.api.request<{ data: Body[] }>('GET', `/api/v1/events?type=${type}`)).body.data;
}

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: cancel now terminates every key once at its KA; a refusal goes to staff and their retry ends it; cancelling again does nothing; a cancelled subscription is not renewed`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'cancel-now', ip: '203.0.113.51' });
      const { api } = rig;
      try {
        const calls = countCalls(rig);
        const { subscriptionId: id, licenses } = await rig.buyAndWaitInstalled('cancel-1');
        const ras = licenses.find((l) => l.configurationId === rig.rasConfigurationId) as Body & { id: number };
        const plesk = licenses.find((l) => l.configurationId === rig.xmlConfigurationId) as Body & { id: number };

        const bad = await api.request<{ error: { details: { fields: Body[] } } }>(
          'POST',
          `/api/v1/subscriptions/${id}/cancel`,
          { body: { when: 'tomorrow' } },
        );
        t.is(bad.status, 400);
        t.is(bad.body.error.details.fields[0]?.field, 'when');
        const none = await api.request('POST', `/api/v1/subscriptions/${id}/cancel`, { body: {} });
        t.is(none.status, 400);
        const viewerToken = (
          await api.request<Body>('POST', '/api/v1/api-tokens', { body: { name: 'viewer', role: 'viewer' } })
        ).body.token as string;
        const storeToken = (
          await api.request<Body>('POST', '/api/v1/api-tokens', { body: { name: 'store', role: 'store' } })
        ).body.token as string;
        const asViewer = await api.request('POST', `/api/v1/subscriptions/${id}/cancel`, {
          token: viewerToken,
          body: { when: 'now' },
        });
        t.is(asViewer.status, 403);
        const asOtherStore = await api.request('POST', `/api/v1/subscriptions/${id}/suspend`, { token: storeToken });
        t.is(asOtherStore.status, 404, "another store's subscription is as unknown as one never made");
        t.is((await subscriptionOf(rig, id)).state, 'active', 'refused input changes nothing');

        // The SOAP KA refuses the first termination for good.
        rig.xmlrpc.authority.injectFault(
          'TerminateKey',
          { kind: 'result', code: 'CANNOT_TERMINATE', message: 'not today' },
          { times: 1 },
        );
        const cancelled = await api.request<{ acted: boolean; subscription: Subscription }>(
          'POST',
          `/api/v1/subscriptions/${id}/cancel`,
          { body: { when: 'now', note: 'customer left' } },
        );
        t.is(cancelled.status, 200);
        t.true(cancelled.body.acted);
        t.is(cancelled.body.subscription.state, 'cancelled');
        // Duplicated jobs race the first ones: the lease and the guarded moves let one act.
        const made = (await api.request<{ data: Operation[] }>('GET', `/api/v1/subscriptions/${id}/license-operations`))
          .body.data;
        t.is(made.length, 2, 'one terminate operation per license');
        for (const operation of made)
          for (const copy of ['a', 'b'])
            await enqueueOperation(api.running.context.queue, operation.id, 'pending', 0, { idSuffix: copy });

        const settled = await operationsSettled(rig, id, 'terminate', 2, ['succeeded', 'needs_manual']);
        const stuck = settled.find((o) => o.licenseId === ras.id) as Operation;
        t.is(stuck.state, 'needs_manual');
        t.regex(String(stuck.reason), /not today|refused|CANNOT_TERMINATE/i);
        t.is(settled.find((o) => o.licenseId === plesk.id)?.state, 'succeeded');
        t.false(keyAtKa(rig, ras.keyNumber)?.terminated, 'the refused key still lives at the KA');

        const again = await api.request<{ acted: boolean }>('POST', `/api/v1/subscriptions/${id}/cancel`, {
          body: { when: 'now' },
        });
        t.is(again.status, 200);
        t.false(again.body.acted, 'cancelling twice answers the current state');
        const later = await api.request<{ acted: boolean }>('POST', `/api/v1/subscriptions/${id}/cancel`, {
          body: { when: 'term_end' },
        });
        t.false(later.body.acted);

        const retried = await api.request('POST', `/api/v1/license-operations/${stuck.id}/retry`);
        t.is(retried.status, 200);
        await operationsSettled(rig, id, 'terminate', 2, ['succeeded']);
        const after = await subscriptionOf(rig, id);
        t.deepEqual(
          after.licenses.map((l) => l.status),
          ['terminated', 'terminated'],
        );
        t.true(keyAtKa(rig, ras.keyNumber)?.terminated);
        t.true(keyAtKa(rig, plesk.keyNumber)?.terminated);
        t.is(calls.terminate.get(String(ras.keyNumber)), 1, 'the RAS key was terminated once at the KA');
        t.is(calls.terminate.get(String(plesk.keyNumber)), 1, 'the Plesk key was terminated once at the KA');

        t.is((await eventsOf(rig, 'subscription.cancelled')).length, 1);
        const terminated = await waitFor(async () => {
          const list = await eventsOf(rig, 'license.terminated');
          return list.length >= 2 ? list : undefined;
        }, 'the licenses terminated events');
        t.is(terminated.length, 2);

        const renewal = await api.request<{ error: Body }>('POST', `/api/v1/subscriptions/${id}/renewals`, {
          body: { period: 12, reference: 'after-cancel' },
        });
        t.is(renewal.status, 409, 'a cancelled subscription cannot be renewed');
        const suspend = await api.request('POST', `/api/v1/subscriptions/${id}/suspend`);
        t.is(suspend.status, 409);
        const withdraw = await api.request('POST', `/api/v1/subscriptions/${id}/cancel/withdraw`);
        t.is(withdraw.status, 409, 'a done cancel cannot be withdrawn');
      } finally {
        await rig.close();
      }
    },
  );

  test.serial(
    `${dialect}: a cancel at the term end shows "cancels on", refuses renewals until withdrawn, and is performed once by the workers after the (injected) clock passes the expiry, with two sweeps racing`,
    async (t) => {
      let offsetMs = 0;
      const clock = () => Date.now() + offsetMs;
      const rig = await startTwoProtocolRig(dialect, { planCode: 'cancel-term-end', ip: '203.0.113.52', clock });
      const { api } = rig;
      try {
        const calls = countCalls(rig);
        const { subscriptionId: id, licenses } = await rig.buyAndWaitInstalled('cancel-2');
        const before = await subscriptionOf(rig, id);

        const scheduled = await api.request<{ acted: boolean; subscription: Subscription }>(
          'POST',
          `/api/v1/subscriptions/${id}/cancel`,
          { body: { when: 'term_end' } },
        );
        t.true(scheduled.body.acted);
        t.is(scheduled.body.subscription.state, 'active');
        t.is(scheduled.body.subscription.cancelsAt, before.expiresAt as string, 'cancels on the expiry');
        const twice = await api.request<{ acted: boolean }>('POST', `/api/v1/subscriptions/${id}/cancel`, {
          body: { when: 'term_end' },
        });
        t.false(twice.body.acted);
        const renewal = await api.request<{ error: Body }>('POST', `/api/v1/subscriptions/${id}/renewals`, {
          body: { period: 12, reference: 'while-cancelling' },
        });
        t.is(renewal.status, 409);
        t.is(renewal.body.error.code, 'cancel_pending');

        // Withdrawn: a renewal order may be placed; asked again, the cancel refuses its payment.
        const withdrawn = await api.request<{ acted: boolean; subscription: Subscription }>(
          'POST',
          `/api/v1/subscriptions/${id}/cancel/withdraw`,
        );
        t.true(withdrawn.body.acted);
        t.is(withdrawn.body.subscription.cancelsAt, null);
        const order = await api.request<Body>('POST', `/api/v1/subscriptions/${id}/renewals`, {
          body: { period: 12, reference: 'after-withdraw' },
        });
        t.is(order.status, 201);
        await api.request('POST', `/api/v1/subscriptions/${id}/cancel`, { body: { when: 'term_end' } });
        const pay = await api.request<{ error: Body }>('POST', `/api/v1/orders/${order.body.id}/pay`, {
          body: { paymentReference: 'pay-after-withdraw' },
        });
        t.is(pay.status, 409, 'a renewal is not paid while the subscription cancels at its term end');
        t.is((await subscriptionOf(rig, id)).expiresAt, before.expiresAt);

        // Sweeps as other workers run them: the same service over the same database and clock.
        const sweep = () =>
          createSubscriptionActionsFeature({
            db: api.running.context.db,
            subscriptions: new SubscriptionStore(),
            licenses: new LicenseStore(),
            operations: new WorkedOperationStore(clock),
            audit: new AuditStore(),
            events: outboxEventWriter,
            queue: api.running.context.queue,
            now: clock,
            placedBy: async () => undefined,
            view: async () => undefined,
            viewSchema: subscriptionDetailsSchema,
            operationsOf: async () => [],
          }).sweep;
        const [a, b] = [sweep(), sweep()];
        t.deepEqual(await a.reconcile(), { cancelled: 0 }, 'nothing is due before the term ends');
        t.is((await subscriptionOf(rig, id)).state, 'active');
        t.true(licenses.every((l) => !keyAtKa(rig, l.keyNumber)?.terminated));

        offsetMs = Date.parse(before.expiresAt as string) - Date.now() + 60_000;
        const [first, second] = await Promise.all([a.reconcile(), b.reconcile()]);
        t.true(first.cancelled + second.cancelled <= 1, 'of two sweeps at once, at most one cancels');
        const ops = await operationsSettled(rig, id, 'terminate', 2, ['succeeded']);
        t.is(ops.length, 2, 'one termination per license, whichever worker claimed it');
        const after = await subscriptionOf(rig, id);
        t.is(after.state, 'cancelled');
        t.is(after.cancelsAt, null);
        t.deepEqual(
          after.licenses.map((l) => l.status),
          ['terminated', 'terminated'],
        );
        for (const license of licenses) t.is(calls.terminate.get(String(license.keyNumber)), 1);
        const events = await eventsOf(rig, 'subscription.cancelled');
        t.is(events.length, 1);
        t.like(events[0]?.data, { when: 'term_end' });
      } finally {
        await rig.close();
      }
    },
  );

  test.serial(
    `${dialect}: suspend suspends at the KA where the plugin can and records "suspended in Keyway only" where it cannot; resume undoes both; repeats do nothing`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'suspend', ip: '203.0.113.53' });
      const { api } = rig;
      try {
        const calls = countCalls(rig);
        const { subscriptionId: id, licenses } = await rig.buyAndWaitInstalled('suspend-1');
        const ras = licenses.find((l) => l.configurationId === rig.rasConfigurationId) as Body & { id: number };
        const plesk = licenses.find((l) => l.configurationId === rig.xmlConfigurationId) as Body & { id: number };

        const resumeActive = await api.request<{ acted: boolean }>('POST', `/api/v1/subscriptions/${id}/resume`);
        t.false(resumeActive.body.acted, 'resuming an active subscription does nothing');
        const suspended = await api.request<{ acted: boolean; subscription: Subscription }>(
          'POST',
          `/api/v1/subscriptions/${id}/suspend`,
          { body: { note: 'invoice 42 unpaid' } },
        );
        t.true(suspended.body.acted);
        t.is(suspended.body.subscription.state, 'suspended');
        const again = await api.request<{ acted: boolean }>('POST', `/api/v1/subscriptions/${id}/suspend`);
        t.false(again.body.acted, 'suspending a suspended subscription does nothing');
        await operationsSettled(rig, id, 'suspend', 2, ['succeeded']);

        const view = await subscriptionOf(rig, id);
        const rasView = view.licenses.find((l) => l.id === ras.id) as Body;
        const pleskView = view.licenses.find((l) => l.id === plesk.id) as Body;
        t.like(rasView, { status: 'suspended', suspendedInKeywayOnly: false });
        t.like(pleskView, { status: 'suspended', suspendedInKeywayOnly: true });
        t.true(keyAtKa(rig, ras.keyNumber)?.suspended, 'the SOAP KA suspended its key');
        t.false(keyAtKa(rig, plesk.keyNumber)?.suspended, 'the XML-RPC plugin cannot suspend: the key still works');
        t.is(calls.suspend.get(String(ras.keyNumber)), 1);
        t.is(calls.suspend.get(String(plesk.keyNumber)), undefined);
        const licenseEvents = await waitFor(async () => {
          const list = await eventsOf(rig, 'license.suspended');
          return list.length >= 2 ? list : undefined;
        }, 'the licenses suspended events');
        t.is(licenseEvents.length, 2);
        t.is(licenseEvents.filter((e) => (e.data as Body).keywayOnly === true).length, 1);
        t.is((await eventsOf(rig, 'subscription.suspended')).length, 1);
        const renewal = await api.request('POST', `/api/v1/subscriptions/${id}/renewals`, {
          body: { period: 12, reference: 'while-suspended' },
        });
        t.is(renewal.status, 409, 'resume first');

        // The SOAP KA refuses the resumption: staff have it; the Keyway-only one resumes at once.
        rig.xmlrpc.authority.injectFault(
          'ResumeKey',
          { kind: 'result', code: 'INVALID_REQUEST', message: 'account on hold' },
          { times: 1 },
        );
        const resumed = await api.request<{ acted: boolean; subscription: Subscription }>(
          'POST',
          `/api/v1/subscriptions/${id}/resume`,
        );
        t.true(resumed.body.acted);
        t.is(resumed.body.subscription.state, 'active');
        const settled = await operationsSettled(rig, id, 'resume', 2, ['succeeded', 'needs_manual']);
        const stuck = settled.find((o) => o.licenseId === ras.id) as Operation;
        t.is(stuck.state, 'needs_manual');
        t.like((await api.request<Body>('GET', `/api/v1/licenses/${plesk.id}`)).body, {
          status: 'installed',
          suspendedInKeywayOnly: false,
        });
        t.true(keyAtKa(rig, ras.keyNumber)?.suspended);
        t.is((await api.request('POST', `/api/v1/license-operations/${stuck.id}/retry`)).status, 200);
        await operationsSettled(rig, id, 'resume', 2, ['succeeded']);
        t.false(keyAtKa(rig, ras.keyNumber)?.suspended);
        t.like((await api.request<Body>('GET', `/api/v1/licenses/${ras.id}`)).body, { status: 'installed' });
        t.is((await eventsOf(rig, 'subscription.resumed')).length, 1);
      } finally {
        await rig.close();
      }
    },
  );
}
