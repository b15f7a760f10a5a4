import type { Knex } from 'knex';

/**
 * Usage (issue 17): what installations report, per license and day, and what Keyway makes of it.
 *
 * - `usage_records`: one row per license and UTC day (`YYYY-MM-DD`): the day's peak, the
 *   installation that reported it, when it last reported; pulled from the KA or pushed to
 *   Keyway. A day is kept at its highest peak, so a pull or a push repeated changes nothing.
 * - `usage_watch`: one row per license that reported: its quota as the KA last said
 *   (`usage_quota`, a snapshot: the license's own quota columns may come from another issue),
 *   whether its product is SaaS, its last report, its overuse (since, grace end, the quota the
 *   grace was spent at: the grace is available again once the quota is raised), the farm state
 *   read from the KA, the notices already told, and `review_at`: when the scheduler's watch
 *   pass next looks at it (its claim: a guarded update that clears it).
 * - `usage_receipts`: the ids of pushed reports already taken, so a report sent twice counts once.
 * - `usage_sources`: per KA configuration, the sealed secret its pushes are signed with and how
 *   far its pulls have read.
 * - `usage_monthly_reports` and `usage_report_builds`: a month's report, one row per license,
 *   built once on the 1st (the build row is its claim).
 * - `plan_license_products.saas`: the product is billed by usage (monthly reports; expires
 *   after 7 days without reports).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('usage_records', (t) => {
    t.bigIncrements('id');
    t.integer('license_id').unsigned().notNullable().references('id').inTable('licenses');
    t.integer('configuration_id').unsigned().notNullable();
    t.string('day', 10).notNullable();
    t.integer('peak').notNullable();
    t.string('installation_id', 120).nullable();
    t.bigInteger('last_report_at').notNullable();
    // pull | push
    t.string('source', 10).notNullable();
    t.unique(['license_id', 'day'], { indexName: 'usage_records_license_day_unique' });
    t.index(['day', 'license_id'], 'usage_records_day_license_index');
  });

  await knex.schema.createTable('usage_watch', (t) => {
    t.integer('license_id').unsigned().primary().references('id').inTable('licenses');
    t.integer('configuration_id').unsigned().notNullable();
    t.integer('customer_id').unsigned().nullable();
    // The license's key and product, copied so the monthly build reads only usage tables.
    t.string('key_number', 80).notNullable();
    t.string('product', 120).notNullable();
    t.boolean('saas').notNullable().defaultTo(false);
    t.integer('usage_quota').nullable();
    t.integer('pack_size').nullable();
    t.string('first_day', 10).notNullable();
    t.bigInteger('last_report_at').notNullable();
    // The peak of the last day reported: what overuse is judged on.
    t.integer('last_peak').notNullable();
    t.bigInteger('overuse_since').nullable();
    t.bigInteger('grace_ends_at').nullable();
    t.integer('grace_quota').nullable();
    // none | started | ending | ended: the overuse notices told for the running overuse.
    t.string('overuse_told', 10).notNullable().defaultTo('none');
    // active | deactivated | reactivated, as the KA's activations say; null: not read.
    t.string('farm_state', 12).nullable();
    // The missing-reports warning told (0, 1, 3, 6).
    t.integer('missing_told').notNullable().defaultTo(0);
    t.bigInteger('expired_at').nullable();
    t.bigInteger('review_at').nullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['review_at'], 'usage_watch_review_at_index');
    t.index(['configuration_id', 'license_id'], 'usage_watch_configuration_index');
    t.index(['customer_id', 'license_id'], 'usage_watch_customer_index');
  });

  await knex.schema.createTable('usage_receipts', (t) => {
    t.integer('configuration_id').unsigned().notNullable();
    t.string('report_id', 120).notNullable();
    t.bigInteger('received_at').notNullable();
    t.integer('days').notNullable();
    t.primary(['configuration_id', 'report_id']);
  });

  await knex.schema.createTable('usage_sources', (t) => {
    t.integer('configuration_id').unsigned().primary().references('id').inTable('ka_configurations');
    t.text('push_secret').nullable();
    t.bigInteger('pulled_until').nullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('usage_monthly_reports', (t) => {
    t.bigIncrements('id');
    t.string('month', 7).notNullable();
    t.integer('license_id').unsigned().notNullable();
    t.integer('configuration_id').unsigned().notNullable();
    t.integer('customer_id').unsigned().nullable();
    t.string('key_number', 80).notNullable();
    t.string('product', 120).notNullable();
    t.boolean('saas').notNullable();
    t.integer('usage_quota').nullable();
    t.integer('peak').notNullable();
    // Hundredths of a unit: an exact average without floating columns.
    t.integer('average_centi').notNullable();
    t.integer('days_reported').notNullable();
    t.integer('days_missing').notNullable();
    t.unique(['month', 'license_id'], { indexName: 'usage_monthly_reports_month_license_unique' });
    t.index(['month', 'configuration_id', 'customer_id', 'license_id'], 'usage_monthly_reports_month_scope_index');
  });

  await knex.schema.createTable('usage_report_builds', (t) => {
    t.string('month', 7).primary();
    // building | built
    t.string('state', 10).notNullable();
    t.bigInteger('started_at').notNullable();
    t.bigInteger('finished_at').nullable();
    t.integer('rows').notNullable().defaultTo(0);
  });

  await knex.schema.alterTable('plan_license_products', (t) => {
    t.boolean('saas').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plan_license_products', (t) => {
    t.dropColumn('saas');
  });
  for (const table of [
    'usage_report_builds',
    'usage_monthly_reports',
    'usage_sources',
    'usage_receipts',
    'usage_watch',
    'usage_records',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
