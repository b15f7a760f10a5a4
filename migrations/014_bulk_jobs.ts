import type { Knex } from 'knex';

/**
 * Bulk jobs (issue 16): one action over a selection of licenses or license requests. The
 * selection is resolved once, at creation, into one item row per target, so the job acts on
 * what staff saw when they asked, whatever changes later. Items are work rows claimed in
 * batches with a lease (`lease_token`, `lease_until`), like webhook deliveries: any number of
 * workers run one job, and a dead worker's items are taken again once the lease lapses. The
 * counts on the job are written in the transaction of the item outcomes they count.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bulk_jobs', (t) => {
    t.increments('id');
    t.string('action', 40).notNullable();
    // license, license_request: what the item targets are ids of.
    t.string('applies_to', 20).notNullable();
    // running, finished, cancelled.
    t.string('state', 20).notNullable();
    // The filter the selection was resolved from (JSON), or null for a list of ids.
    t.text('filter').nullable();
    t.string('note', 2000).nullable();
    // Who asked: every item acts as them.
    t.string('actor_type', 20).notNullable();
    t.string('actor_id', 80).nullable();
    t.string('actor_name', 200).nullable();
    t.integer('total').notNullable();
    t.integer('done').notNullable().defaultTo(0);
    t.integer('failed').notNullable().defaultTo(0);
    t.integer('skipped').notNullable().defaultTo(0);
    t.integer('cancelled').notNullable().defaultTo(0);
    t.bigInteger('created_at').notNullable();
    // Moves with every batch written: a job whose time stands still while work is left has lost its worker.
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('cancelled_at').nullable();
    t.bigInteger('finished_at').nullable();
    t.index(['state', 'updated_at'], 'bulk_jobs_state_updated_at_index');
  });

  await knex.schema.createTable('bulk_job_items', (t) => {
    t.increments('id');
    t.integer('bulk_job_id').unsigned().notNullable().references('id').inTable('bulk_jobs');
    t.integer('target_id').unsigned().notNullable();
    // pending, running, done, failed, skipped, cancelled.
    t.string('state', 20).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('lease_token', 40).nullable();
    // Running: when the worker's hold lapses. Pending: not before then (an item put back to wait).
    t.bigInteger('lease_until').nullable();
    // Why an item failed or was skipped (an error code and its message), or what a done one did.
    t.string('result_code', 60).nullable();
    t.string('result', 500).nullable();
    t.bigInteger('finished_at').nullable();
    t.unique(['bulk_job_id', 'target_id'], { indexName: 'bulk_job_items_job_target_unique' });
    t.index(['bulk_job_id', 'state', 'id'], 'bulk_job_items_job_state_id_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('bulk_job_items');
  await knex.schema.dropTableIfExists('bulk_jobs');
}
