import type { Knex } from 'knex';

/**
 * Sync of licenses with their KA (issue 16, item 1).
 *
 * `licenses.sync_state` is `in_sync`, `not_in_sync` or `failed` (null: never synced);
 * `sync_diff` the field-by-field differences of the last sync (JSON, bounded by the writer to
 * 8,000 characters); `last_synced_at` when the KA was last read. `sync_due_at` is when the
 * scheduled sync next reads the key (0: now); the workers' claim moves it under a guard, so of
 * several workers one syncs each license, and a claim lapses when its worker dies. Ranged per
 * configuration by `(configuration_id, sync_due_at)`; the not-in-sync filter and tab count by
 * `(configuration_id, sync_state, id)`.
 *
 * `ka_configurations.sync_calls_per_second`: how many key reads a worker sends the KA per
 * second for the scheduled sync (null: the default, 5).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('licenses', (t) => {
    t.string('sync_state', 16).nullable();
    t.text('sync_diff').nullable();
    t.bigInteger('last_synced_at').nullable();
    t.bigInteger('sync_due_at').notNullable().defaultTo(0);
    t.index(['configuration_id', 'sync_due_at'], 'licenses_configuration_sync_due_index');
    t.index(['configuration_id', 'sync_state', 'id'], 'licenses_configuration_sync_state_index');
  });
  await knex.schema.alterTable('ka_configurations', (t) => {
    t.integer('sync_calls_per_second').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ka_configurations', (t) => {
    t.dropColumn('sync_calls_per_second');
  });
  await knex.schema.alterTable('licenses', (t) => {
    t.dropIndex(['configuration_id', 'sync_state', 'id'], 'licenses_configuration_sync_state_index');
    t.dropIndex(['configuration_id', 'sync_due_at'], 'licenses_configuration_sync_due_index');
    t.dropColumn('sync_due_at');
    t.dropColumn('last_synced_at');
    t.dropColumn('sync_diff');
    t.dropColumn('sync_state');
  });
}
