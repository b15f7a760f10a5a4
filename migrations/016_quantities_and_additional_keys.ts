import type { Knex } from 'knex';

/**
 * Quantities, packs, additional keys and farms (issue 15).
 *
 * A plan's license product may be counted: `unit` (users, computers ...) names what it counts,
 * `pack_size` how many units one pack holds (1 by default, 5 for a "5-computer pack"), and
 * `min_packs`/`max_packs` what an order may ask; `allow_decrease` lets a key's quota go down
 * (once, counted on the license's `decreases_used`). An order keeps the packs it asked per
 * product (`license_quantities`, JSON of at most 20 entries); a change order (kind `upgrade`
 * or `downgrade`) names the license it changes and the new quantity in packs.
 *
 * Licenses keep the key's quota facts as the KA answered them (`quota`, `quota_unit`,
 * `quota_reserved`), its `key_type` (primary, additional), an additional key's primary
 * (`parent_license_id`), `key_name` and whether it renews with its subscription.
 *
 * `license_activations` caches the farms a KA reported for a license, with the time read
 * (replaced as a whole by each read); `farm_notes` keeps the note Keyway holds per farm
 * (activation key and server id), apart from the cache so a new read never loses it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plan_license_products', (t) => {
    t.string('unit', 30).nullable();
    t.integer('pack_size').notNullable().defaultTo(1);
    t.integer('min_packs').notNullable().defaultTo(1);
    t.integer('max_packs').nullable();
    t.boolean('allow_decrease').notNullable().defaultTo(false);
  });

  await knex.schema.alterTable('orders', (t) => {
    t.string('license_quantities', 1000).nullable();
    t.integer('change_license_id').unsigned().nullable().references('id').inTable('licenses');
    t.integer('change_quantity').nullable();
    t.index(['change_license_id', 'id'], 'orders_change_license_id_index');
  });

  await knex.schema.alterTable('licenses', (t) => {
    t.integer('quota').nullable();
    t.string('quota_unit', 30).nullable();
    t.integer('quota_reserved').nullable();
    t.string('key_type', 12).nullable();
    t.integer('parent_license_id').unsigned().nullable().references('id').inTable('licenses');
    t.string('key_name', 120).nullable();
    t.boolean('renews_with_subscription').nullable();
    t.integer('decreases_used').notNullable().defaultTo(0);
    t.index(['parent_license_id', 'id'], 'licenses_parent_license_id_index');
  });

  await knex.schema.createTable('license_activations', (t) => {
    t.increments('id');
    t.integer('license_id').unsigned().notNullable().references('id').inTable('licenses');
    t.string('activation_key', 80).notNullable();
    t.string('farm_name', 200).nullable();
    t.string('status', 12).notNullable();
    t.string('server_id', 120).nullable();
    t.string('app_version', 60).nullable();
    t.bigInteger('activated_at').nullable();
    t.bigInteger('last_report_at').nullable();
    t.integer('peak_usage').nullable();
    t.integer('moves_used').nullable();
    t.integer('moves_left').nullable();
    t.bigInteger('read_at').notNullable();
    t.index(['license_id', 'status'], 'license_activations_license_id_status_index');
  });

  await knex.schema.createTable('farm_notes', (t) => {
    t.increments('id');
    t.integer('license_id').unsigned().notNullable().references('id').inTable('licenses');
    t.string('activation_key', 80).notNullable();
    t.string('server_id', 120).notNullable().defaultTo('');
    t.string('note', 500).notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['license_id', 'activation_key', 'server_id'], 'farm_notes_farm_unique');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('farm_notes');
  await knex.schema.dropTableIfExists('license_activations');
  await knex.schema.alterTable('licenses', (t) => {
    t.dropForeign(['parent_license_id']);
    t.dropIndex(['parent_license_id', 'id'], 'licenses_parent_license_id_index');
    for (const c of [
      'quota',
      'quota_unit',
      'quota_reserved',
      'key_type',
      'parent_license_id',
      'key_name',
      'renews_with_subscription',
      'decreases_used',
    ])
      t.dropColumn(c);
  });
  await knex.schema.alterTable('orders', (t) => {
    t.dropForeign(['change_license_id']);
    t.dropIndex(['change_license_id', 'id'], 'orders_change_license_id_index');
    t.dropColumn('license_quantities');
    t.dropColumn('change_license_id');
    t.dropColumn('change_quantity');
  });
  await knex.schema.alterTable('plan_license_products', (t) => {
    for (const c of ['unit', 'pack_size', 'min_packs', 'max_packs', 'allow_decrease']) t.dropColumn(c);
  });
}
