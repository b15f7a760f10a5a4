import test from 'ava';
import { CustomerStore } from '../../src/features/customers/customer-store.js';
import { FolderMigrationSource, migrateLatest } from '../../src/infra/db/migrator.js';
import { testDialects, useTestDatabase } from '../helpers/test-database.js';

const migration = '006_store_scope';

for (const dialect of testDialects()) {
  const database = useTestDatabase(dialect);

  test(`${dialect}: ${migration} puts existing customers and orders in the scope of the store that created them, and is undone by its down`, async (t) => {
    const { db } = database;
    const source = new FolderMigrationSource();
    const names = (list: unknown[]) =>
      list.map((m) => (typeof m === 'string' ? m : (m as { name: string }).name).replace(/\.(ts|js)$/, ''));
    // Back to just before this migration (undoing any later one first).
    while (names((await db.migrate.list({ migrationSource: source }))[0]).includes(migration))
      await db.migrate.down({ migrationSource: source });

    const now = Date.now();
    const token = async (name: string, role: string) =>
      Number(
        (
          await db('api_tokens').insert({
            name,
            role,
            token_hash: name.padEnd(64, '0'),
            created_at: now,
            updated_at: now,
          })
        )[0],
      );
    const storeA = await token('store-a', 'store');
    const admin = await token('admin', 'admin');
    const customer = async (name: string, actorId: string, externalRef: string | null) => {
      const id = Number(
        (
          await db('customers').insert({
            name,
            email: 'c@example.com',
            external_ref: externalRef,
            created_at: now,
            updated_at: now,
          })
        )[0],
      );
      await db('audit_events').insert({
        at: now,
        actor_type: actorId.split(':')[0],
        actor_id: actorId,
        action: 'customer.created',
        entity_type: 'customer',
        entity_id: String(id),
      });
      return id;
    };
    const ofStore = await customer('of store A', `api:${storeA}`, 'ext-1');
    const ofAdminToken = await customer('of admin token', `api:${admin}`, null);
    const ofStaff = await customer('of staff', 'staff:1', null);
    const [planId] = await db('plans').insert({
      code: 'legacy',
      name: 'Legacy',
      periods: '[12]',
      created_at: now,
      updated_at: now,
    });
    const order = async (reference: string, placedBy: number | null) =>
      Number(
        (
          await db('orders').insert({
            reference,
            customer_id: ofStore,
            plan_id: planId,
            period_months: 12,
            state: 'placed',
            placed_by_token_id: placedBy,
            created_at: now,
            updated_at: now,
          })
        )[0],
      );
    const storeOrder = await order('r-1', storeA);
    const staffOrder = await order('r-2', null);

    await migrateLatest(db);

    const scopes = async (table: string) =>
      Object.fromEntries(
        (await db(table).select('id', 'store_scope')).map((r) => [Number(r.id), Number(r.store_scope)]),
      );
    t.deepEqual(await scopes('customers'), { [ofStore]: storeA, [ofAdminToken]: 0, [ofStaff]: 0 });
    t.deepEqual(await scopes('orders'), { [storeOrder]: storeA, [staffOrder]: 0 });
    const customers = new CustomerStore();
    t.truthy(await customers.getByExternalRef(db, storeA, 'ext-1'));
    t.is(await customers.getByExternalRef(db, null, 'ext-1'), undefined);
    t.is(await customers.get(db, ofStaff, storeA), undefined);
    // The reference is unique per scope: staff may use store A's, store A may not use it twice.
    await t.notThrowsAsync(() =>
      db('orders').insert({
        reference: 'r-1',
        customer_id: ofStore,
        plan_id: planId,
        period_months: 12,
        state: 'placed',
        store_scope: 0,
        created_at: now,
        updated_at: now,
      }),
    );
    // better-sqlite3's error is not an Error instance, hence `any`.
    const duplicate = await t.throwsAsync(
      () =>
        db('orders').insert({
          reference: 'r-1',
          customer_id: ofStore,
          plan_id: planId,
          period_months: 12,
          state: 'placed',
          store_scope: storeA,
          created_at: now,
          updated_at: now,
        }),
      { any: true },
    );
    t.regex(String((duplicate as { code?: string }).code), /ER_DUP_ENTRY|SQLITE_CONSTRAINT_UNIQUE/);
  });
}
