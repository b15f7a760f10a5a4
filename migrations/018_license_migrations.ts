import type { Knex } from 'knex';

/**
 * Migration of licenses to another KA configuration, and bulk job parameters (issue 16, item 3).
 *
 * `license_migrations`: one row per license moved (or to be moved) to a target configuration.
 * Its `state` is the step reached, each a guarded move: `scheduled` (waits for the customer's
 * renewal on the new server), `requested` (the new license request exists: the pipeline issues,
 * fetches and installs it), `terminating` (the new license is installed; the old key's
 * worker-run terminate operation exists), `migrated`, or `failed` (the new request was cancelled).
 * `open_license_id` is the old license while the migration is unfinished: unique, so a license
 * is in one migration at a time whoever starts it. `bulk_job_id`/`bulk_item_id` name the bulk
 * job item that started it, its idempotency key.
 *
 * License requests of source `migration` name the license they replace
 * (`predecessor_license_id`); licenses keep `predecessor_license_id` (what it replaced) and
 * `successor_license_id` (what replaced it).
 *
 * `bulk_jobs.parameters`: what an action needs beyond its items (a migration's target and
 * product map), JSON.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('license_migrations', (t) => {
    t.increments('id');
    t.integer('license_id').unsigned().notNullable().references('id').inTable('licenses');
    t.integer('open_license_id').unsigned().nullable().unique('license_migrations_open_license_unique');
    t.integer('target_configuration_id').unsigned().notNullable().references('id').inTable('ka_configurations');
    t.string('target_product', 120).notNullable();
    t.integer('quantity').notNullable();
    t.integer('period_months').nullable();
    t.string('state', 20).notNullable();
    t.boolean('at_renewal').notNullable().defaultTo(false);
    t.integer('request_id').unsigned().nullable().references('id').inTable('license_requests');
    t.integer('new_license_id').unsigned().nullable();
    t.integer('terminate_operation_id').unsigned().nullable();
    t.integer('bulk_job_id').unsigned().nullable();
    t.integer('bulk_item_id').unsigned().nullable();
    t.text('actor').notNullable();
    t.string('reason', 500).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('finished_at').nullable();
    t.index(['license_id', 'id'], 'license_migrations_license_index');
    t.index(['state', 'updated_at'], 'license_migrations_state_index');
    t.index(['request_id'], 'license_migrations_request_index');
  });
  await knex.schema.alterTable('license_requests', (t) => {
    t.integer('predecessor_license_id').unsigned().nullable();
  });
  await knex.schema.alterTable('licenses', (t) => {
    t.integer('predecessor_license_id').unsigned().nullable();
    t.integer('successor_license_id').unsigned().nullable();
  });
  await knex.schema.alterTable('bulk_jobs', (t) => {
    t.text('parameters').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('bulk_jobs', (t) => {
    t.dropColumn('parameters');
  });
  await knex.schema.alterTable('licenses', (t) => {
    t.dropColumn('successor_license_id');
    t.dropColumn('predecessor_license_id');
  });
  await knex.schema.alterTable('license_requests', (t) => {
    t.dropColumn('predecessor_license_id');
  });
  await knex.schema.dropTableIfExists('license_migrations');
}
