import test from 'ava';
import { ConflictError } from '../../../src/errors/app-error.js';
import { testDialects, useTestDatabase } from '../../helpers/test-database.js';
import {
  insertSubscription,
  queueIdle,
  serviceState,
  serviceTransitions,
  startHarness,
  waitFor,
} from './service-fixtures.js';

const staff = { type: 'staff' as const, id: 'staff:7', name: 'Olga Operator' };

for (const dialect of testDialects()) {
  const database = useTestDatabase(dialect);

  const licenseRequestState = async (id: number) =>
    String((await database.db('license_requests').where({ id }).first())?.state);
  const subscriptionState = async (id: number) =>
    String((await database.db('subscriptions').where({ id }).first())?.state);

  test(`${dialect}: instant services become ready, the licenses are released once, with an audit event per transition`, async (t) => {
    const h = await startHarness(database.db);
    t.teardown(() => h.close());
    const sub = await insertSubscription(database.db, [
      { key: 'hosting', provisioner: 'instant' },
      { key: 'mail', provisioner: 'instant' },
      { key: 'dns', provisioner: 'instant' },
    ]);
    await h.feature.service.start(sub.subscriptionId);
    await waitFor(
      async () => (await licenseRequestState(sub.licenseRequestId)) === 'ready',
      'the license request to be released',
    );
    await waitFor(() => queueIdle(h.queue), 'the queue to drain');

    for (const id of Object.values(sub.ids)) {
      t.is(await serviceState(database.db, id), 'ready');
      t.deepEqual(await serviceTransitions(h.audit, database.db, id), [
        'service.provisioning:pending>provisioning',
        'service.ready:provisioning>ready',
      ]);
      const events = await h.audit.history(database.db, 'service', id);
      t.true(events.every((e) => e.actor.type === 'worker'));
    }
    t.deepEqual(h.releases, [sub.subscriptionId]);
    t.is(await subscriptionState(sub.subscriptionId), 'active');
    const service = await h.feature.service.get(sub.ids.hosting as number);
    t.is(service.attempts, 1);
    t.regex(service.readyAt ?? '', /^\d{4}-\d\d-\d\dT/);
  });

  test(`${dialect}: a service starts only after the services it depends on are ready`, async (t) => {
    const h = await startHarness(database.db);
    t.teardown(() => h.close());
    const sub = await insertSubscription(database.db, [
      { key: 'account', provisioner: 'manual' },
      { key: 'site', provisioner: 'instant', dependsOn: ['account'] },
      { key: 'backup', provisioner: 'instant', dependsOn: ['site'] },
      { key: 'dns', provisioner: 'instant' },
    ]);
    const { account, site, backup, dns } = sub.ids;
    await h.feature.service.start(sub.subscriptionId);
    await waitFor(async () => (await serviceState(database.db, dns)) === 'ready', 'the independent service');
    await waitFor(async () => (await serviceState(database.db, account)) === 'waiting', 'the manual service to wait');
    await waitFor(() => queueIdle(h.queue), 'the queue to drain');
    t.is(await serviceState(database.db, site), 'pending');
    t.is(await serviceState(database.db, backup), 'pending');
    t.deepEqual(h.releases, []);
    t.is(await licenseRequestState(sub.licenseRequestId), 'pending');

    await h.feature.service.markReady(account, staff, 'account created in the panel');
    await waitFor(async () => (await licenseRequestState(sub.licenseRequestId)) === 'ready', 'the chain to finish');
    await waitFor(() => queueIdle(h.queue), 'the queue to drain');
    t.deepEqual(h.releases, [sub.subscriptionId]);

    // The chain ran in order: each service's first step comes after its dependency's ready.
    const events = await database
      .db('audit_events')
      .where({ entity_type: 'service' })
      .whereIn('entity_id', [account, site, backup].map(String))
      .orderBy('id');
    const indexOf = (id: number, action: string) =>
      events.findIndex((e) => e.entity_id === String(id) && e.action === action);
    t.true(indexOf(account, 'service.marked_ready') < indexOf(site, 'service.provisioning'));
    t.true(indexOf(site, 'service.ready') < indexOf(backup, 'service.provisioning'));
    t.true(indexOf(site, 'service.provisioning') >= 0);
  });

  test(`${dialect}: a manual service waits until staff mark it ready, recorded with their name and note`, async (t) => {
    const h = await startHarness(database.db);
    t.teardown(() => h.close());
    const sub = await insertSubscription(database.db, [{ key: 'mailbox', provisioner: 'manual' }]);
    const id = sub.ids.mailbox as number;
    await h.feature.service.start(sub.subscriptionId);
    await waitFor(async () => (await serviceState(database.db, id)) === 'waiting', 'the service to wait');
    await waitFor(() => queueIdle(h.queue), 'the queue to drain');
    t.deepEqual(h.releases, []);

    const ready = await h.feature.service.markReady(id, staff, 'set up by hand');
    t.is(ready.state, 'ready');
    await waitFor(async () => h.releases.length === 1, 'the release');
    t.deepEqual(await serviceTransitions(h.audit, database.db, id), [
      'service.provisioning:pending>provisioning',
      'service.waiting:provisioning>waiting',
      'service.marked_ready:waiting>ready',
    ]);
    const last = (await h.audit.history(database.db, 'service', id)).at(-1);
    t.like(last, { actor: staff, data: { note: 'set up by hand' } });

    // Marking it again changes nothing and writes nothing.
    t.is((await h.feature.service.markReady(id, staff)).state, 'ready');
    t.is((await h.audit.history(database.db, 'service', id)).length, 3);
  });

  test(`${dialect}: staff cannot mark ready a service that has not started, nor retry one that has not failed`, async (t) => {
    const h = await startHarness(database.db, { noWorker: true });
    t.teardown(() => h.close());
    const sub = await insertSubscription(database.db, [{ key: 'vps', provisioner: 'manual' }]);
    const id = sub.ids.vps as number;
    const notWaiting = await t.throwsAsync(() => h.feature.service.markReady(id, staff), { instanceOf: ConflictError });
    t.is(notWaiting?.code, 'service_not_waiting');
    const notFailed = await t.throwsAsync(() => h.feature.service.retry(id, staff), { instanceOf: ConflictError });
    t.is(notFailed?.code, 'service_not_failed');
    t.is(await serviceState(database.db, id), 'pending');
    t.deepEqual(await serviceTransitions(h.audit, database.db, id), []);
  });

  test(`${dialect}: a duplicated or replayed provisioning job does nothing the second time`, async (t) => {
    // No worker: the test delivers the jobs itself, twice at once and once more afterwards.
    const h = await startHarness(database.db, { noWorker: true });
    t.teardown(() => h.close());
    const sub = await insertSubscription(database.db, [{ key: 'web', provisioner: 'instant' }]);
    const id = sub.ids.web as number;
    await Promise.all([h.feature.service.provision(id), h.feature.service.provision(id)]);
    await h.feature.service.provision(id);
    t.is(await serviceState(database.db, id), 'ready');
    t.is((await h.feature.service.get(id)).attempts, 1);
    t.deepEqual(await serviceTransitions(h.audit, database.db, id), [
      'service.provisioning:pending>provisioning',
      'service.ready:provisioning>ready',
    ]);

    // A repeated release releases once: the subscription has moved on.
    await h.feature.service.releaseSubscription(sub.subscriptionId);
    await h.feature.service.releaseSubscription(sub.subscriptionId);
    t.deepEqual(h.releases, [sub.subscriptionId]);
  });

  test(`${dialect}: a job for an unknown service id does nothing`, async (t) => {
    const h = await startHarness(database.db, { noWorker: true });
    t.teardown(() => h.close());
    await t.notThrowsAsync(() => h.feature.service.provision(987_654));
  });
}
