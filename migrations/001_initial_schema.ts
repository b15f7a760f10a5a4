import type { Knex } from 'knex';

/**
 * The whole first schema, dialect-neutral: timestamps are BIGINT epoch milliseconds, JSON is
 * text, ids are auto-increment integers. The one dialect branch is the file body column.
 */

function timestamps(t: Knex.CreateTableBuilder): void {
  t.bigInteger('created_at').notNullable();
  t.bigInteger('updated_at').notNullable();
}

export async function up(knex: Knex): Promise<void> {
  const isMysql = String(knex.client.config.client).startsWith('mysql');

  // Installation-wide secrets (callback signing, sessions) shared by every process.
  await knex.schema.createTable('app_secrets', (t) => {
    t.string('name', 80).primary();
    t.string('value', 200).notNullable();
    t.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('customers', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable();
    t.string('email', 320).notNullable();
    t.string('external_ref', 120).nullable().unique();
    timestamps(t);
  });

  await knex.schema.createTable('ka_plugins', (t) => {
    t.string('name', 100).primary();
    t.string('display_name', 200).notNullable();
    t.string('version', 40).notNullable();
    t.string('status', 20).notNullable();
    t.text('definition').notNullable();
    timestamps(t);
  });

  await knex.schema.createTable('ka_configurations', (t) => {
    t.increments('id');
    t.string('name', 120).notNullable().unique();
    t.string('plugin_name', 100).notNullable().references('name').inTable('ka_plugins');
    t.text('settings').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.string('status', 30).notNullable();
    t.text('products', 'mediumtext').nullable();
    t.text('allowed_products').nullable();
    t.text('last_error').nullable();
    t.bigInteger('products_fetched_at').nullable();
    timestamps(t);
  });

  await knex.schema.createTable('plans', (t) => {
    t.increments('id');
    t.string('code', 80).notNullable().unique();
    t.string('name', 200).notNullable();
    t.text('periods').notNullable();
    timestamps(t);
  });

  await knex.schema.createTable('plan_services', (t) => {
    t.increments('id');
    t.integer('plan_id').unsigned().notNullable().references('id').inTable('plans');
    t.string('key', 80).notNullable();
    t.string('kind', 80).notNullable();
    t.string('provisioner', 30).notNullable();
    t.text('settings').notNullable();
    t.text('depends_on').notNullable();
    t.unique(['plan_id', 'key']);
  });

  await knex.schema.createTable('plan_license_products', (t) => {
    t.increments('id');
    t.integer('plan_id').unsigned().notNullable().references('id').inTable('plans');
    t.integer('configuration_id').unsigned().notNullable().references('id').inTable('ka_configurations');
    t.string('product', 120).notNullable();
    t.text('features').notNullable();
    t.integer('quantity').notNullable().defaultTo(1);
    t.string('service_key', 80).nullable();
  });

  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.string('name', 120).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('role', 20).notNullable();
    t.integer('customer_id').unsigned().nullable().references('id').inTable('customers');
    t.bigInteger('last_used_at').nullable();
    t.bigInteger('revoked_at').nullable();
    timestamps(t);
  });

  await knex.schema.createTable('staff_users', (t) => {
    t.increments('id');
    t.string('email', 320).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('role', 20).notNullable();
    t.string('password_hash', 200).notNullable();
    t.boolean('disabled').notNullable().defaultTo(false);
    timestamps(t);
  });

  await knex.schema.createTable('orders', (t) => {
    t.increments('id');
    t.string('reference', 120).notNullable().unique();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.integer('plan_id').unsigned().notNullable().references('id').inTable('plans');
    t.integer('period_months').notNullable();
    t.string('state', 20).notNullable();
    t.string('payment_reference', 120).nullable();
    t.integer('placed_by_token_id').unsigned().nullable().references('id').inTable('api_tokens');
    t.bigInteger('paid_at').nullable();
    t.bigInteger('cancelled_at').nullable();
    timestamps(t);
    t.index(['customer_id', 'id']);
    t.index(['state', 'id']);
  });

  await knex.schema.createTable('subscriptions', (t) => {
    t.increments('id');
    t.integer('order_id').unsigned().notNullable().unique().references('id').inTable('orders');
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.integer('plan_id').unsigned().notNullable().references('id').inTable('plans');
    t.integer('period_months').notNullable();
    t.string('state', 20).notNullable();
    t.bigInteger('starts_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    timestamps(t);
    t.index(['customer_id', 'id']);
  });

  await knex.schema.createTable('services', (t) => {
    t.increments('id');
    t.integer('subscription_id').unsigned().notNullable().references('id').inTable('subscriptions');
    t.string('key', 80).notNullable();
    t.string('kind', 80).notNullable();
    t.string('provisioner', 30).notNullable();
    t.string('state', 20).notNullable();
    t.text('settings').notNullable();
    t.text('depends_on').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').nullable();
    t.text('last_error').nullable();
    t.bigInteger('ready_at').nullable();
    timestamps(t);
    t.unique(['subscription_id', 'key']);
    t.index(['state', 'next_attempt_at']);
  });

  await knex.schema.createTable('license_requests', (t) => {
    t.increments('id');
    t.integer('subscription_id').unsigned().nullable().references('id').inTable('subscriptions');
    t.integer('customer_id').unsigned().nullable().references('id').inTable('customers');
    t.integer('configuration_id').unsigned().notNullable().references('id').inTable('ka_configurations');
    t.integer('service_id').unsigned().nullable().references('id').inTable('services');
    t.string('source', 20).notNullable();
    t.string('product', 120).notNullable();
    t.text('features').notNullable();
    t.integer('quantity').notNullable().defaultTo(1);
    t.integer('period_months').nullable();
    t.string('state', 30).notNullable();
    t.string('reason', 500).nullable();
    t.text('last_error').nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').nullable();
    t.bigInteger('issue_sent_at').nullable();
    // A worker's exclusive claim while it talks to the KA; an expired lease means it died.
    t.string('lease_token', 40).nullable();
    t.bigInteger('lease_until').nullable();
    timestamps(t);
    t.index(['state', 'next_attempt_at']);
    t.index(['configuration_id', 'state', 'id']);
    t.index(['subscription_id']);
    t.index(['customer_id', 'id']);
  });

  await knex.schema.createTable('licenses', (t) => {
    t.increments('id');
    t.integer('request_id').unsigned().nullable().unique().references('id').inTable('license_requests');
    t.integer('configuration_id').unsigned().notNullable().references('id').inTable('ka_configurations');
    t.integer('subscription_id').unsigned().nullable().references('id').inTable('subscriptions');
    t.integer('customer_id').unsigned().nullable().references('id').inTable('customers');
    t.string('key_number', 80).notNullable();
    t.string('full_key_number', 100).nullable();
    t.string('product_key', 80).nullable();
    t.string('product', 120).notNullable();
    t.text('features').notNullable();
    t.text('additional_key_numbers').notNullable();
    t.string('status', 30).notNullable();
    t.string('source', 20).notNullable();
    t.bigInteger('expires_at').nullable();
    t.bigInteger('updates_until').nullable();
    t.bigInteger('installed_at').nullable();
    timestamps(t);
    t.unique(['configuration_id', 'key_number']);
    t.index(['configuration_id', 'status', 'id']);
    t.index(['configuration_id', 'expires_at', 'id']);
    t.index(['key_number']);
    t.index(['subscription_id']);
    t.index(['customer_id', 'id']);
  });

  await knex.schema.createTable('license_files', (t) => {
    t.increments('id');
    t.integer('license_id').unsigned().notNullable().references('id').inTable('licenses');
    t.string('key_number', 80).notNullable();
    t.string('file_name', 255).notNullable();
    t.string('content_type', 120).notNullable();
    t.integer('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('revision', 40).nullable();
    if (isMysql) t.specificType('content', 'mediumblob').notNullable();
    else t.binary('content').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['license_id']);
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id');
    t.bigInteger('at').notNullable();
    t.string('actor_type', 20).notNullable();
    t.string('actor_id', 80).nullable();
    t.string('actor_name', 200).nullable();
    t.string('action', 80).notNullable();
    t.string('entity_type', 40).notNullable();
    t.string('entity_id', 80).notNullable();
    t.string('from_state', 30).nullable();
    t.string('to_state', 30).nullable();
    t.text('data').nullable();
    t.text('error').nullable();
    t.index(['entity_type', 'entity_id', 'id']);
    t.index(['actor_id', 'id']);
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'audit_events',
    'license_files',
    'licenses',
    'license_requests',
    'services',
    'subscriptions',
    'orders',
    'staff_users',
    'api_tokens',
    'plan_license_products',
    'plan_services',
    'plans',
    'ka_configurations',
    'ka_plugins',
    'customers',
    'app_secrets',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
