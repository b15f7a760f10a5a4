import type { Knex } from 'knex';

/**
 * Terms and renewals (issue 14).
 *
 * Licenses know their term: `starts_at`, `expires_at` (the real end of the term: for a key the
 * KA leases month by month, the subscription's end), `key_expires_at` (the key's own expiry at
 * the KA: the end of the current lease period), `term_kind` (term, lease), `period_months` and
 * the `revision` of the installed file. `refresh_due_at` is when the file refresh sweep next
 * looks at the KA for a new revision (a lease renewed by the KA, an update date passed).
 *
 * License files keep every revision: `generation` counts the sets fetched for a license, the
 * highest is the installed one; older sets are never overwritten.
 *
 * Orders have a `kind` (new, renewal); a renewal order names the subscription it renews.
 * `subscription_renewals` records each paid renewal's term move (from and to).
 *
 * License operations run by the workers (renewals, and later cancel, suspend, resume of a
 * subscription's licenses) wait in `pending` without holding their license (`open_license_id`
 * stays null until a worker starts one), with `next_attempt_at`, a lease token, the step that
 * failed and the reason staff see; `cause_type`/`cause_id` name what made them (a renewal).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('licenses', (t) => {
    t.bigInteger('starts_at').nullable();
    t.bigInteger('key_expires_at').nullable();
    t.string('term_kind', 10).nullable();
    t.integer('period_months').nullable();
    t.string('revision', 40).nullable();
    t.bigInteger('refresh_due_at').nullable();
    t.index(['refresh_due_at'], 'licenses_refresh_due_at_index');
  });

  await knex.schema.alterTable('license_files', (t) => {
    t.integer('generation').notNullable().defaultTo(1);
  });

  await knex.schema.alterTable('orders', (t) => {
    t.string('kind', 20).notNullable().defaultTo('new');
    t.integer('renews_subscription_id').unsigned().nullable().references('id').inTable('subscriptions');
    t.index(['renews_subscription_id', 'id'], 'orders_renews_subscription_id_index');
  });

  await knex.schema.createTable('subscription_renewals', (t) => {
    t.increments('id');
    t.integer('subscription_id').unsigned().notNullable().references('id').inTable('subscriptions');
    t.integer('order_id').unsigned().notNullable().unique().references('id').inTable('orders');
    t.integer('period_months').notNullable();
    t.bigInteger('from_expires_at').notNullable();
    t.bigInteger('to_expires_at').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['subscription_id', 'id'], 'subscription_renewals_subscription_id_index');
  });

  await knex.schema.alterTable('license_operations', (t) => {
    t.bigInteger('next_attempt_at').nullable();
    t.string('lease_token', 40).nullable();
    t.string('reason', 500).nullable();
    t.bigInteger('sent_at').nullable();
    t.string('cause_type', 30).nullable();
    t.integer('cause_id').unsigned().nullable();
    t.index(['state', 'next_attempt_at'], 'license_operations_state_next_index');
    t.index(['cause_type', 'cause_id'], 'license_operations_cause_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('license_operations', (t) => {
    t.dropIndex(['cause_type', 'cause_id'], 'license_operations_cause_index');
    t.dropIndex(['state', 'next_attempt_at'], 'license_operations_state_next_index');
    for (const c of ['next_attempt_at', 'lease_token', 'reason', 'sent_at', 'cause_type', 'cause_id']) t.dropColumn(c);
  });
  await knex.schema.dropTableIfExists('subscription_renewals');
  await knex.schema.alterTable('orders', (t) => {
    t.dropForeign(['renews_subscription_id']);
    t.dropIndex(['renews_subscription_id', 'id'], 'orders_renews_subscription_id_index');
    t.dropColumn('renews_subscription_id');
    t.dropColumn('kind');
  });
  await knex.schema.alterTable('license_files', (t) => {
    t.dropColumn('generation');
  });
  await knex.schema.alterTable('licenses', (t) => {
    t.dropIndex(['refresh_due_at'], 'licenses_refresh_due_at_index');
    for (const c of ['starts_at', 'key_expires_at', 'term_kind', 'period_months', 'revision', 'refresh_due_at'])
      t.dropColumn(c);
  });
}
