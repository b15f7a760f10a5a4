import type { Knex } from 'knex';

/**
 * Staff console sessions and sign-in attempts, in the database so every API process sees the
 * same sessions and the same rate limit (no process memory).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('staff_sessions', (t) => {
    // SHA-256 of the cookie value: a leaked table does not hand out live sessions.
    t.string('id_hash', 64).primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('staff_users');
    // Synchronizer token every console form carries; checked on every POST.
    t.string('csrf_token', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['user_id']);
    t.index(['expires_at']);
  });

  await knex.schema.createTable('sign_in_attempts', (t) => {
    t.increments('id');
    // SHA-256 of lower-cased email and client address: the limit is per email and IP.
    t.string('key_hash', 64).notNullable();
    t.bigInteger('at').notNullable();
    t.index(['key_hash', 'at']);
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sign_in_attempts');
  await knex.schema.dropTableIfExists('staff_sessions');
}
