import type { Knex } from 'knex';

/**
 * Events out (issue 13): the outbox every domain event is written to in the transaction of its
 * change, the webhook endpoints with their deliveries and attempts, the mail log, the built-in
 * catch-all mailbox of the embedded default, and the test mails that verify a mailbox.
 * Work rows (deliveries, mails) are claimed with a lease (`lease_until`), like license
 * requests, so any number of workers can run them and a dead worker's row is taken over.
 * `open_batch_key` is set only while a batched mail still takes items; unique, it keeps one
 * open batch per key (MariaDB has no partial unique index, and NULLs never collide).
 */
export async function up(knex: Knex): Promise<void> {
  const isMysql = String(knex.client.config.client).startsWith('mysql');
  const longText = (t: Knex.CreateTableBuilder, name: string) => (isMysql ? t.text(name, 'mediumtext') : t.text(name));

  await knex.schema.createTable('outbox_events', (t) => {
    t.increments('id');
    t.string('event_id', 40).notNullable().unique();
    t.string('type', 60).notNullable();
    t.string('entity_type', 40).notNullable();
    t.string('entity_id', 40).notNullable();
    longText(t, 'payload').notNullable();
    t.bigInteger('occurred_at').notNullable();
    // Set once the event was fanned out into deliveries and mails.
    t.bigInteger('dispatched_at').nullable();
    t.bigInteger('lease_until').nullable();
    t.index(['dispatched_at', 'id'], 'outbox_events_dispatched_at_id_index');
    t.index(['entity_type', 'entity_id', 'id'], 'outbox_events_entity_index');
    t.index(['type', 'id'], 'outbox_events_type_id_index');
  });

  await knex.schema.createTable('webhook_endpoints', (t) => {
    t.increments('id');
    t.string('url', 2000).notNullable();
    t.string('description', 200).notNullable().defaultTo('');
    // JSON array of event types; ["*"] for every type.
    t.text('event_types').notNullable();
    t.text('secret_sealed').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    // active, failing (a delivery used up its retries; admins were told).
    t.string('status', 20).notNullable().defaultTo('active');
    t.bigInteger('failing_since').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.increments('id');
    t.integer('endpoint_id').unsigned().notNullable().references('id').inTable('webhook_endpoints');
    t.integer('outbox_event_id').unsigned().notNullable().references('id').inTable('outbox_events');
    // entity_type:entity_id of the event: deliveries of one entity go out in id order.
    t.string('entity_key', 90).notNullable();
    // pending, delivered, failed (retries used up).
    t.string('state', 20).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable();
    t.bigInteger('lease_until').nullable();
    t.string('lease_token', 40).nullable();
    t.integer('last_status').nullable();
    t.string('last_error', 500).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('delivered_at').nullable();
    t.index(['state', 'next_attempt_at'], 'webhook_deliveries_state_next_index');
    t.index(['endpoint_id', 'entity_key', 'id'], 'webhook_deliveries_endpoint_entity_index');
    t.index(['endpoint_id', 'id'], 'webhook_deliveries_endpoint_id_index');
  });

  await knex.schema.createTable('webhook_attempts', (t) => {
    t.increments('id');
    t.integer('delivery_id').unsigned().notNullable().references('id').inTable('webhook_deliveries');
    t.integer('endpoint_id').unsigned().notNullable().references('id').inTable('webhook_endpoints');
    t.integer('attempt').notNullable();
    t.bigInteger('at').notNullable();
    t.integer('status_code').nullable();
    t.integer('latency_ms').notNullable();
    // The first KB of the answer.
    t.text('response_excerpt').nullable();
    t.string('error', 500).nullable();
    t.index(['delivery_id', 'id'], 'webhook_attempts_delivery_id_index');
    t.index(['endpoint_id', 'id'], 'webhook_attempts_endpoint_id_index');
  });

  await knex.schema.createTable('mail_messages', (t) => {
    t.increments('id');
    t.integer('outbox_event_id').unsigned().nullable().references('id').inTable('outbox_events');
    t.string('event_type', 60).notNullable();
    t.string('template', 60).notNullable();
    t.text('recipients').notNullable();
    t.string('subject', 300).nullable();
    longText(t, 'variables').notNullable();
    // pending, sent, failed (retries used up or refused for good), not_sent (no transport).
    t.string('state', 20).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable();
    t.bigInteger('lease_until').nullable();
    t.string('lease_token', 40).nullable();
    t.string('server_answer', 500).nullable();
    t.string('reason', 500).nullable();
    t.string('batch_group', 120).nullable();
    t.string('open_batch_key', 120).nullable().unique('mail_messages_open_batch_key_unique');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('sent_at').nullable();
    t.index(['state', 'next_attempt_at'], 'mail_messages_state_next_index');
    t.index(['batch_group', 'sent_at'], 'mail_messages_batch_group_index');
  });

  await knex.schema.createTable('mail_catchall', (t) => {
    t.increments('id');
    t.string('message_id', 200).notNullable();
    t.string('sender', 320).notNullable();
    t.text('recipients').notNullable();
    t.string('subject', 300).notNullable();
    longText(t, 'text_body').notNullable();
    longText(t, 'html_body').nullable();
    t.bigInteger('received_at').notNullable();
  });

  await knex.schema.createTable('mail_verifications', (t) => {
    t.increments('id');
    // The transport a test mail went through, without its password (smtp://user@host:port, catch-all).
    t.string('transport', 300).notNullable();
    t.string('to_address', 320).notNullable();
    t.string('state', 20).notNullable();
    t.string('server_answer', 500).nullable();
    t.bigInteger('at').notNullable();
    t.index(['transport', 'id'], 'mail_verifications_transport_index');
  });

  await knex.schema.createTable('customer_mail_recipients', (t) => {
    t.increments('id');
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.string('email', 320).notNullable();
    t.bigInteger('created_at').notNullable();
    t.unique(['customer_id', 'email'], { indexName: 'customer_mail_recipients_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'customer_mail_recipients',
    'mail_verifications',
    'mail_catchall',
    'mail_messages',
    'webhook_attempts',
    'webhook_deliveries',
    'webhook_endpoints',
    'outbox_events',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
