import type { Knex } from 'knex';

/**
 * Stores see only what they created. A store is one API token with role `store`; what staff and
 * admin or operator tokens create belongs to a namespace of its own, scope 0. So customers and
 * orders carry `store_scope` (the store's token id, or 0), and customer external references and
 * order references are unique per scope instead of installation-wide.
 *
 * A column and not a nullable foreign key to the token: unique indexes treat NULLs as
 * distinct on both SQLite and MySQL, so a NULL scope would let staff reuse a reference.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.integer('store_scope').unsigned().notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('orders', (t) => {
    t.integer('store_scope').unsigned().notNullable().defaultTo(0);
  });

  // Orders already name the store that placed them.
  await knex('orders')
    .whereNotNull('placed_by_token_id')
    .update({ store_scope: knex.ref('placed_by_token_id') });
  // Customers do not: the audit event of their creation names the token that created them.
  const stores = new Set((await knex('api_tokens').where({ role: 'store' }).pluck('id')).map(Number));
  const created = await knex('audit_events')
    .where({ action: 'customer.created', entity_type: 'customer' })
    .where('actor_id', 'like', 'api:%')
    .select('entity_id', 'actor_id');
  const customersByStore = new Map<number, number[]>();
  for (const event of created) {
    const tokenId = Number(String(event.actor_id).slice('api:'.length));
    if (!stores.has(tokenId)) continue;
    const customerIds = customersByStore.get(tokenId) ?? [];
    customerIds.push(Number(event.entity_id));
    customersByStore.set(tokenId, customerIds);
  }
  for (const [tokenId, customerIds] of customersByStore) {
    for (let i = 0; i < customerIds.length; i += 500) {
      await knex('customers')
        .whereIn('id', customerIds.slice(i, i + 500))
        .update({ store_scope: tokenId });
    }
  }

  await knex.schema.alterTable('customers', (t) => {
    t.dropUnique(['external_ref']);
    t.unique(['store_scope', 'external_ref'], { indexName: 'customers_store_scope_external_ref_unique' });
  });
  await knex.schema.alterTable('orders', (t) => {
    t.dropUnique(['reference']);
    t.unique(['store_scope', 'reference'], { indexName: 'orders_store_scope_reference_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  // Fails while two scopes share a reference: those orders cannot go back to one namespace.
  await knex.schema.alterTable('orders', (t) => {
    t.dropUnique(['store_scope', 'reference'], 'orders_store_scope_reference_unique');
    t.unique(['reference']);
  });
  await knex.schema.alterTable('customers', (t) => {
    t.dropUnique(['store_scope', 'external_ref'], 'customers_store_scope_external_ref_unique');
    t.unique(['external_ref']);
  });
  await knex.schema.alterTable('orders', (t) => {
    t.dropColumn('store_scope');
  });
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumn('store_scope');
  });
}
