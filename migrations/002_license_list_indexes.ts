import type { Knex } from 'knex';

/**
 * Indexes for the license tabs and the staff work lists: keyset pages of licenses by
 * (configuration_id, id) with the usual filters, and license requests by state, newest first.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('licenses', (t) => {
    t.index(['configuration_id', 'id'], 'licenses_configuration_id_id_index');
    t.index(['configuration_id', 'customer_id', 'id'], 'licenses_configuration_customer_id_index');
    t.index(['configuration_id', 'subscription_id', 'id'], 'licenses_configuration_subscription_id_index');
  });
  await knex.schema.alterTable('license_requests', (t) => {
    t.index(['state', 'id'], 'license_requests_state_id_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('license_requests', (t) => {
    t.dropIndex(['state', 'id'], 'license_requests_state_id_index');
  });
  await knex.schema.alterTable('licenses', (t) => {
    t.dropIndex(['configuration_id', 'subscription_id', 'id'], 'licenses_configuration_subscription_id_index');
    t.dropIndex(['configuration_id', 'customer_id', 'id'], 'licenses_configuration_customer_id_index');
    t.dropIndex(['configuration_id', 'id'], 'licenses_configuration_id_id_index');
  });
}
