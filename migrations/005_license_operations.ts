import type { Knex } from 'knex';

/**
 * License operations (DESIGN.md §10): every action on an issued key at its KA is a row,
 * claimed before the KA is called. `open_license_id` is the license's id while the operation
 * is open and null once it is closed; being unique, it lets one operation at a time be open
 * per license (MariaDB has no partial unique index, and NULLs never collide).
 *
 * Idempotency keys remember the first answer to a request sent with an `Idempotency-Key`
 * header, per caller. The key is stored as its SHA-256: a case-insensitive or space-padding
 * collation of the database must not make two keys one.
 */
export async function up(knex: Knex): Promise<void> {
  const isMysql = String(knex.client.config.client).startsWith('mysql');

  await knex.schema.createTable('license_operations', (t) => {
    t.increments('id');
    t.integer('license_id').unsigned().notNullable().references('id').inTable('licenses');
    t.integer('open_license_id').unsigned().nullable().unique('license_operations_open_license_id_unique');
    t.string('kind', 30).notNullable();
    // in_progress (leased until lease_until), outcome_unknown, succeeded, failed.
    t.string('state', 20).notNullable();
    t.string('reference', 60).notNullable().unique();
    t.text('parameters').notNullable();
    // What the key looked like before the call, to tell later whether the KA acted.
    t.text('before').nullable();
    t.text('result').nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.text('actor').notNullable();
    t.bigInteger('lease_until').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('closed_at').nullable();
    t.index(['license_id', 'id'], 'license_operations_license_id_id_index');
  });

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.increments('id');
    // Who sent the key: `api:<token id>` or `staff:<user id>`.
    t.string('scope', 60).notNullable();
    t.string('key_hash', 64).notNullable();
    // SHA-256 of what the request asked (action, license, body): a key is for one request.
    t.string('fingerprint', 64).notNullable();
    t.integer('operation_id').unsigned().nullable().references('id').inTable('license_operations');
    t.integer('response_status').nullable();
    if (isMysql) t.text('response_body', 'mediumtext').nullable();
    else t.text('response_body').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['scope', 'key_hash'], 'idempotency_keys_scope_key_hash_unique');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('idempotency_keys');
  await knex.schema.dropTableIfExists('license_operations');
}
