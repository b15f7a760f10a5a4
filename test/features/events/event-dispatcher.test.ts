import test from 'ava';
import { EventDispatcher } from '../../../src/features/events/event-dispatcher.js';
import type { EventReceiver } from '../../../src/features/events/outbox-port.js';
import { OutboxStore, type StoredEvent } from '../../../src/features/events/outbox-store.js';
import type { Db } from '../../../src/infra/db/database.js';
import { createTestDatabase, testDialects } from '../../helpers/test-database.js';

/** `n` events in the outbox, not yet fanned out; answers their row ids, oldest first. */
async function outboxWith(db: Db, n: number): Promise<number[]> {
  const outbox = new OutboxStore();
  const ids: number[] = [];
  for (let i = 0; i < n; i++)
    ids.push(
      (
        await outbox.insert(db, {
          type: 'ka_configuration.failing',
          entityType: 'ka_configuration',
          entityId: String(i + 1),
          data: { cause: `event ${i}` },
          at: Date.now(),
        })
      ).rowId,
    );
  return ids;
}

const dispatched = async (db: Db) =>
  (await db('outbox_events').whereNotNull('dispatched_at').orderBy('id').pluck('id')).map(Number);

for (const dialect of testDialects()) {
  const rig = async (t: import('ava').ExecutionContext) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    return database.db;
  };

  test(`${dialect}: a page of events is fanned out in one transaction, each event once`, async (t) => {
    const db = await rig(t);
    const ids = await outboxWith(db, 6);
    const received: number[] = [];
    const receiver: EventReceiver = async (_tx, event) => {
      received.push(event.rowId);
    };
    let statements = 0;
    const count = () => statements++;
    db.on('query', count);
    const done = await new EventDispatcher({ db, outbox: new OutboxStore(), receivers: [receiver] })
      .runDue()
      .finally(() => db.off('query', count));
    t.is(done, 6);
    t.deepEqual(received, ids);
    t.deepEqual(await dispatched(db), ids);
    // The read, BEGIN, one update for the page, COMMIT: not four statements an event.
    t.true(statements <= 5, `${statements} statements`);
  });

  test(`${dialect}: two workers fanning out the same page: every event reaches the receivers once`, async (t) => {
    const db = await rig(t);
    const ids = await outboxWith(db, 20);
    const received: number[] = [];
    const receiver: EventReceiver = async (_tx, event) => {
      received.push(event.rowId);
    };
    const worker = () => new EventDispatcher({ db, outbox: new OutboxStore(), receivers: [receiver] });
    const [a, b] = await Promise.all([worker().runDue(), worker().runDue()]);
    t.is(a + b, 20);
    t.deepEqual(
      [...received].sort((x, y) => x - y),
      ids,
    );
    t.deepEqual(await dispatched(db), ids);
  });

  test(`${dialect}: an event whose fan-out fails holds back only itself and what comes after it; nothing of it is kept`, async (t) => {
    const db = await rig(t);
    const ids = await outboxWith(db, 5);
    const bad = ids[2] as number;
    let failing = true;
    const receiver: EventReceiver = async (tx, event: StoredEvent) => {
      await tx('audit_events').insert({
        at: Date.now(),
        actor_type: 'system',
        actor_name: 'test',
        action: 'fanned',
        entity_type: 'outbox_event',
        entity_id: String(event.rowId),
      });
      if (failing && event.rowId === bad) throw new Error('receiver down');
    };
    const dispatcher = new EventDispatcher({ db, outbox: new OutboxStore(), receivers: [receiver] });
    await t.throwsAsync(dispatcher.runDue(), { message: 'receiver down' });
    // The page was rolled back, then the events went one by one up to the failing one.
    t.deepEqual(await dispatched(db), ids.slice(0, 2));
    const fanned = async () => (await db('audit_events').where({ action: 'fanned' }).pluck('entity_id')).map(Number);
    t.deepEqual(await fanned(), ids.slice(0, 2));
    failing = false;
    t.is(await dispatcher.runDue(), 3);
    t.deepEqual(await dispatched(db), ids);
    t.deepEqual(
      (await fanned()).sort((x, y) => x - y),
      ids,
    );
  });
}
