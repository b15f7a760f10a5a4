import type { DbOrTx } from '../../infra/db/database.js';

/**
 * What an event tells about its entity, read in the transaction that records it, so a receiver
 * sees the entity as the change left it and never needs to call back. Read-only views of other
 * features' tables; nothing secret (a configuration is named, its settings never read).
 */
const iso = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

async function customer(db: DbOrTx, id: unknown) {
  if (id === null || id === undefined) return null;
  const row = await db('customers').where({ id }).first('id', 'name', 'email', 'external_ref');
  return row ? { id: row.id, name: row.name, email: row.email, externalRef: row.external_ref ?? null } : null;
}

async function subscription(db: DbOrTx, id: unknown) {
  if (id === null || id === undefined) return null;
  const row = await db('subscriptions').where({ id }).first();
  if (!row) return null;
  return {
    id: row.id,
    orderId: row.order_id,
    planId: row.plan_id,
    state: row.state,
    periodMonths: row.period_months,
    startsAt: iso(row.starts_at),
    expiresAt: iso(row.expires_at),
  };
}

async function configuration(db: DbOrTx, id: unknown) {
  const row = await db('ka_configurations').where({ id }).first('id', 'name', 'plugin_name', 'status');
  return row ? { id: row.id, name: row.name, plugin: row.plugin_name, status: row.status } : null;
}

export async function licenseSnapshot(db: DbOrTx, licenseId: number): Promise<Record<string, unknown>> {
  const row = await db('licenses').where({ id: licenseId }).first();
  if (!row) throw new Error(`license ${licenseId} does not exist`);
  return {
    licenseId: row.id,
    requestId: row.request_id ?? null,
    keyNumber: row.key_number,
    fullKeyNumber: row.full_key_number ?? null,
    activationCode: row.product_key ?? row.full_key_number ?? null,
    product: row.product,
    status: row.status,
    expiresAt: iso(row.expires_at),
    termKind: row.term_kind ?? null,
    keyExpiresAt: iso(row.key_expires_at),
    revision: row.revision ?? null,
    installedAt: iso(row.installed_at),
    customer: await customer(db, row.customer_id),
    subscription: await subscription(db, row.subscription_id),
    configuration: await configuration(db, row.configuration_id),
  };
}

export async function licenseRequestSnapshot(db: DbOrTx, requestId: number): Promise<Record<string, unknown>> {
  const row = await db('license_requests').where({ id: requestId }).first();
  if (!row) throw new Error(`license request ${requestId} does not exist`);
  return {
    requestId: row.id,
    state: row.state,
    product: row.product,
    quantity: row.quantity,
    reason: row.reason ?? null,
    attempts: row.attempts,
    customer: await customer(db, row.customer_id),
    subscription: await subscription(db, row.subscription_id),
    configuration: await configuration(db, row.configuration_id),
  };
}

export async function orderSnapshot(db: DbOrTx, orderId: number): Promise<Record<string, unknown>> {
  const row = await db('orders').where({ id: orderId }).first();
  if (!row) throw new Error(`order ${orderId} does not exist`);
  const sub = await db('subscriptions').where({ order_id: orderId }).first('id');
  return {
    orderId: row.id,
    reference: row.reference,
    state: row.state,
    planId: row.plan_id,
    periodMonths: row.period_months,
    paymentReference: row.payment_reference ?? null,
    paidAt: iso(row.paid_at),
    customer: await customer(db, row.customer_id),
    subscription: sub ? await subscription(db, sub.id) : null,
  };
}

export async function subscriptionSnapshot(db: DbOrTx, subscriptionId: number): Promise<Record<string, unknown>> {
  const sub = await subscription(db, subscriptionId);
  if (!sub) throw new Error(`subscription ${subscriptionId} does not exist`);
  const row = await db('subscriptions').where({ id: subscriptionId }).first('customer_id');
  const products = await db('license_requests').where({ subscription_id: subscriptionId }).select('id', 'product');
  return {
    subscriptionId,
    subscription: sub,
    customer: await customer(db, row.customer_id),
    licenseRequests: products.map((p) => ({ id: p.id, product: p.product })),
  };
}

export async function configurationSnapshot(db: DbOrTx, configurationId: number): Promise<Record<string, unknown>> {
  const row = await configuration(db, configurationId);
  if (!row) throw new Error(`KA configuration ${configurationId} does not exist`);
  return { configuration: row };
}

/** The snapshot of each entity type an event can name. */
export const snapshotOf: Record<string, (db: DbOrTx, id: number) => Promise<Record<string, unknown>>> = {
  license: licenseSnapshot,
  license_request: licenseRequestSnapshot,
  order: orderSnapshot,
  subscription: subscriptionSnapshot,
  ka_configuration: configurationSnapshot,
};
