import type { Knex } from 'knex';

/**
 * Cancel and suspend a subscription (issue 14, item 6).
 *
 * A subscription may now be `suspended` (non-payment) or `cancelled` beside `provisioning` and
 * `active` (the state column already holds them). `cancel_at` is when a cancel asked for the
 * term's end is due (null: none pending); the workers' sweep ranges on it, and the guarded move
 * to `cancelled` is its claim. `cancelled_at` is when the subscription was cancelled.
 *
 * `licenses.suspended_keyway_only` marks a license suspended in Keyway only, because its KA
 * plugin cannot suspend keys: the key still works at the KA, and resuming it asks nothing there.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('subscriptions', (t) => {
    t.bigInteger('cancel_at').nullable();
    t.bigInteger('cancelled_at').nullable();
    t.index(['cancel_at'], 'subscriptions_cancel_at_index');
  });
  await knex.schema.alterTable('licenses', (t) => {
    t.boolean('suspended_keyway_only').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('licenses', (t) => {
    t.dropColumn('suspended_keyway_only');
  });
  await knex.schema.alterTable('subscriptions', (t) => {
    t.dropIndex(['cancel_at'], 'subscriptions_cancel_at_index');
    t.dropColumn('cancelled_at');
    t.dropColumn('cancel_at');
  });
}
