import type { Knex } from 'knex';

/**
 * The keys a request's lookup could not settle between (its outcome unknown, and the KA
 * holding more or fewer matching keys than requests waiting for one): a JSON list shown to
 * staff beside the short reason, instead of inside it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('license_requests', (t) => {
    t.text('key_candidates').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('license_requests', (t) => {
    t.dropColumn('key_candidates');
  });
}
