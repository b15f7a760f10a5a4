import type { Knex } from 'knex';

/**
 * The lookups of `license_migrations` that scanned the table (found by the migration bench):
 *
 * - by bulk job item, once per item a `migrate` bulk job runs (the item's idempotency key):
 *   unique, so two runs of one item can never both start a migration;
 * - by the new license, on every license's page (its migrations, as the old or the new one).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('license_migrations', (t) => {
    t.unique(['bulk_job_id', 'bulk_item_id'], { indexName: 'license_migrations_bulk_item_unique' });
    t.index(['new_license_id', 'id'], 'license_migrations_new_license_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('license_migrations', (t) => {
    t.dropIndex(['new_license_id', 'id'], 'license_migrations_new_license_index');
    t.dropUnique(['bulk_job_id', 'bulk_item_id'], 'license_migrations_bulk_item_unique');
  });
}
