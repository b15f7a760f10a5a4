import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * Our reference for a key at a KA carries this installation's id, so two Keyways on one KA
 * account (staging and production) never share one. The id is made here, once; every license
 * request stores its reference from now on. References made before stay as they were
 * (`keyway-request-<id>`): the keys at the KA carry them, and lookups must keep finding them.
 */
export async function up(knex: Knex): Promise<void> {
  const isMysql = String(knex.client.config.client).startsWith('mysql');

  await knex.schema.createTable('installation_settings', (t) => {
    t.string('name', 80).primary();
    t.string('value', 200).notNullable();
    t.bigInteger('created_at').notNullable();
  });
  // 10 characters of base 32 (50 bits): short enough for a KA's note or external id field.
  const id = [...randomBytes(10)].map((byte) => 'abcdefghijklmnopqrstuvwxyz234567'[byte % 32]).join('');
  await knex('installation_settings').insert({ name: 'installation_id', value: id, created_at: Date.now() });

  await knex.schema.alterTable('license_requests', (t) => {
    t.string('reference', 80).nullable();
    t.unique(['reference'], { indexName: 'license_requests_reference_unique' });
  });
  const legacy = isMysql ? knex.raw("CONCAT('keyway-request-', id)") : knex.raw("'keyway-request-' || id");
  await knex('license_requests').update({ reference: legacy });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('license_requests', (t) => {
    t.dropUnique(['reference'], 'license_requests_reference_unique');
    t.dropColumn('reference');
  });
  await knex.schema.dropTableIfExists('installation_settings');
}
