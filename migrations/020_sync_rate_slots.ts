import type { Knex } from 'knex';

/**
 * The key-read slots of each KA configuration, shared by every worker (issue 16): a worker
 * reserves a short run of slots by moving `next_slot_at` (ms since the epoch) under a guard on
 * its old value, so all workers together read a configuration's keys at most at its
 * `sync_calls_per_second`. A table of its own, so the reservations never touch the
 * configuration's row that staff edit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sync_rate_slots', (t) => {
    t.integer('configuration_id').unsigned().primary().references('id').inTable('ka_configurations');
    t.bigInteger('next_slot_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sync_rate_slots');
}
