import test from 'ava';
import { testDialects, useTestDatabase } from '../../helpers/test-database.js';
import {
  insertSubscription,
  queueIdle,
  serviceState,
  serviceTransitions,
  startHarness,
  waitFor,
} from './service-fixtures.js';

// Serial: the reconciler looks at every service of the database, so these tests take turns.
for (const dialect of testDialects()) {
  const database = useTestDatabase(dialect);

  test.serial(
    `${dialect}: the reconciler starts services whose job was lost and releases the subscription`,
    async (t) => {
      const h = await startHarness(database.db);
      t.teardown(() => h.close());
      // Never started: as if the process stopped between the payment and its first jobs.
      const sub = await insertSubscription(database.db, [
        { key: 'a', provisioner: 'instant' },
        { key: 'b', provisioner: 'instant', dependsOn: ['a'] },
      ]);
      const result = await h.feature.service.reconcileServices();
      t.is(result.enqueued, 1);
      await waitFor(async () => h.releases.length === 1, 'the release');
      t.is(await serviceState(database.db, sub.ids.b), 'ready');
    },
  );

  test.serial(
    `${dialect}: the reconciler takes over a service whose worker died mid-attempt, and leaves a retry that is not due`,
    async (t) => {
      const h = await startHarness(database.db);
      t.teardown(() => h.close());
      const sub = await insertSubscription(database.db, [
        { key: 'crashed', provisioner: 'instant' },
        { key: 'later', provisioner: 'instant' },
      ]);
      const now = Date.now();
      await database
        .db('services')
        .where({ id: sub.ids.crashed })
        .update({ state: 'provisioning', attempts: 1, next_attempt_at: now - 1 });
      await database
        .db('services')
        .where({ id: sub.ids.later })
        .update({ attempts: 1, next_attempt_at: now + 60_000 });

      await h.feature.service.reconcileServices();
      await waitFor(async () => (await serviceState(database.db, sub.ids.crashed)) === 'ready', 'the take-over');
      t.deepEqual(await serviceTransitions(h.audit, database.db, sub.ids.crashed), [
        'service.provisioning_resumed:provisioning>provisioning',
        'service.ready:provisioning>ready',
      ]);
      t.is((await h.feature.service.get(sub.ids.crashed)).attempts, 2);
      // A job for the not-yet-due retry runs early and does nothing.
      await h.feature.service.provision(sub.ids.later);
      t.is(await serviceState(database.db, sub.ids.later), 'pending');
      t.deepEqual(h.releases, []);
    },
  );

  test.serial(
    `${dialect}: the reconciler releases a subscription whose services are all ready but whose release was lost`,
    async (t) => {
      const h = await startHarness(database.db);
      t.teardown(() => h.close());
      const sub = await insertSubscription(database.db, [{ key: 'x', provisioner: 'instant' }]);
      await database.db('services').where({ id: sub.ids.x }).update({ state: 'ready', ready_at: Date.now() });
      const result = await h.feature.service.reconcileServices();
      t.true(result.released >= 1);
      await waitFor(async () => h.releases.includes(sub.subscriptionId), 'the release');
      await waitFor(() => queueIdle(h.queue), 'the queue to drain');
      // Released once: the subscription moved on, so the next run finds nothing.
      const next = await h.feature.service.reconcileServices();
      await waitFor(() => queueIdle(h.queue), 'the queue to drain');
      t.false(h.releases.filter((id) => id === sub.subscriptionId).length > 1);
      t.is(next.released, 0);
    },
  );
}
