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
  const snapshot = (await licenseSnapshots(db, [licenseId])).get(licenseId);
  if (!snapshot) throw new Error(`license ${licenseId} does not exist`);
  return snapshot;
}

/** Rows of `table` by id, in one query (`whereIn`), for the snapshots of many events at once. */
async function byId(db: DbOrTx, table: string, ids: unknown[], columns: string[] = ['*']) {
  const wanted = [...new Set(ids.filter((id) => id !== null && id !== undefined))];
  const rows = wanted.length ? await db(table).whereIn('id', wanted).select(columns) : [];
  return new Map(rows.map((row) => [Number(row.id), row]));
}

function customerOf(row: Record<string, unknown> | undefined) {
  return row ? { id: row.id, name: row.name, email: row.email, externalRef: row.external_ref ?? null } : null;
}

function subscriptionOf(row: Record<string, unknown> | undefined) {
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

/**
 * The snapshots of many licenses in four queries, whatever their number: what a scheduler pass
 * that tells a batch of licenses at once records. The same as `licenseSnapshot` of each.
 */
export async function licenseSnapshots(
  db: DbOrTx,
  licenseIds: number[],
): Promise<Map<number, Record<string, unknown>>> {
  const rows = [...(await byId(db, 'licenses', licenseIds)).values()];
  const [customers, subscriptions, configurations] = await Promise.all([
    byId(
      db,
      'customers',
      rows.map((r) => r.customer_id),
      ['id', 'name', 'email', 'external_ref'],
    ),
    byId(
      db,
      'subscriptions',
      rows.map((r) => r.subscription_id),
    ),
    byId(
      db,
      'ka_configurations',
      rows.map((r) => r.configuration_id),
      ['id', 'name', 'plugin_name', 'status'],
    ),
  ]);
  const configurationOf = (row: Record<string, unknown> | undefined) =>
    row ? { id: row.id, name: row.name, plugin: row.plugin_name, status: row.status } : null;
  return new Map(
    rows.map((row) => [
      Number(row.id),
      {
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
        customer: customerOf(customers.get(Number(row.customer_id))),
        subscription: subscriptionOf(subscriptions.get(Number(row.subscription_id))),
        configuration: configurationOf(configurations.get(Number(row.configuration_id))),
      },
    ]),
  );
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

/** An order with its customer and subscription, in one query (every payment records one). */
export async function orderSnapshot(db: DbOrTx, orderId: number): Promise<Record<string, unknown>> {
  const row = await db('orders')
    .leftJoin('subscriptions', 'subscriptions.order_id', 'orders.id')
    .leftJoin('customers', 'customers.id', 'orders.customer_id')
    .where('orders.id', orderId)
    .orderBy('subscriptions.id')
    .first(
      'orders.id',
      'orders.reference',
      'orders.state',
      'orders.plan_id',
      'orders.period_months',
      'orders.payment_reference',
      'orders.paid_at',
      'customers.id as customer_id',
      'customers.name as customer_name',
      'customers.email as customer_email',
      'customers.external_ref as customer_external_ref',
      'subscriptions.id as subscription_id',
      'subscriptions.order_id as subscription_order_id',
      'subscriptions.plan_id as subscription_plan_id',
      'subscriptions.state as subscription_state',
      'subscriptions.period_months as subscription_period_months',
      'subscriptions.starts_at as subscription_starts_at',
      'subscriptions.expires_at as subscription_expires_at',
    );
  if (!row) throw new Error(`order ${orderId} does not exist`);
  const prefixed = (prefix: string) =>
    row[`${prefix}_id`] === null || row[`${prefix}_id`] === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(row)
            .filter(([column]) => column.startsWith(`${prefix}_`))
            .map(([column, value]) => [column.slice(prefix.length + 1), value]),
        );
  return {
    orderId: row.id,
    reference: row.reference,
    state: row.state,
    planId: row.plan_id,
    periodMonths: row.period_months,
    paymentReference: row.payment_reference ?? null,
    paidAt: iso(row.paid_at),
    customer: customerOf(prefixed('customer')),
    subscription: subscriptionOf(prefixed('subscription')),
  };
}

export async function subscriptionSnapshot(db: DbOrTx, subscriptionId: number): Promise<Record<string, unknown>> {
  const snapshot = (await subscriptionSnapshots(db, [subscriptionId])).get(subscriptionId);
  if (!snapshot) throw new Error(`subscription ${subscriptionId} does not exist`);
  return snapshot;
}

/**
 * The snapshots of many subscriptions (a batch of renewals due) in one query, as
 * `subscriptionSnapshot` of each: the customer and the license requests joined in, one row per
 * request (a subscription has a handful).
 */
export async function subscriptionSnapshots(
  db: DbOrTx,
  subscriptionIds: number[],
): Promise<Map<number, Record<string, unknown>>> {
  const wanted = [...new Set(subscriptionIds)];
  const rows: Array<Record<string, unknown>> = wanted.length
    ? await db('subscriptions')
        .leftJoin('customers', 'customers.id', 'subscriptions.customer_id')
        .leftJoin('license_requests', 'license_requests.subscription_id', 'subscriptions.id')
        .whereIn('subscriptions.id', wanted)
        .orderBy([{ column: 'subscriptions.id' }, { column: 'license_requests.id' }])
        .select(
          'subscriptions.*',
          'customers.id as customer_row_id',
          'customers.name as customer_name',
          'customers.email as customer_email',
          'customers.external_ref as customer_external_ref',
          'license_requests.id as request_id',
          'license_requests.product as request_product',
        )
    : [];
  const snapshots = new Map<number, Record<string, unknown> & { licenseRequests: unknown[] }>();
  for (const row of rows) {
    const id = Number(row.id);
    let snapshot = snapshots.get(id);
    if (!snapshot) {
      const hasCustomer = row.customer_row_id !== null && row.customer_row_id !== undefined;
      snapshot = {
        subscriptionId: id,
        subscription: subscriptionOf(row),
        customer: customerOf(
          hasCustomer
            ? {
                id: row.customer_id,
                name: row.customer_name,
                email: row.customer_email,
                external_ref: row.customer_external_ref,
              }
            : undefined,
        ),
        licenseRequests: [],
      };
      snapshots.set(id, snapshot);
    }
    if (row.request_id !== null && row.request_id !== undefined)
      snapshot.licenseRequests.push({ id: row.request_id, product: row.request_product });
  }
  return snapshots;
}

/** What a payment wrote, as `paymentSnapshots` needs it (the orders feature's types fit it). */
export interface WrittenPayment {
  order: {
    id: number;
    reference: string;
    state: string;
    planId: number;
    period: number;
    paymentReference?: string | null;
    paidAt?: string | null;
  };
  customer: { id: number; name: string; email: string | null; externalRef: string | null };
  written: {
    subscription: {
      id: number;
      orderId: number;
      planId: number;
      state: string;
      period: number;
      startsAt: string;
      expiresAt: string;
    };
    licenseRequests: Array<{ id: number; product: string }>;
  };
}

/**
 * A payment's `order.paid` and `subscription.activated` snapshots from what it wrote, in the
 * shapes `orderSnapshot` and `subscriptionSnapshot` read (test/api/pay-answer.test.ts holds
 * them equal).
 */
export const paymentSnapshots = {
  of({ order, customer, written }: WrittenPayment) {
    const s = written.subscription;
    const subscription = {
      id: s.id,
      orderId: s.orderId,
      planId: s.planId,
      state: s.state,
      periodMonths: s.period,
      startsAt: s.startsAt,
      expiresAt: s.expiresAt,
    };
    const named = { id: customer.id, name: customer.name, email: customer.email, externalRef: customer.externalRef };
    return {
      order: {
        orderId: order.id,
        reference: order.reference,
        state: order.state,
        planId: order.planId,
        periodMonths: order.period,
        paymentReference: order.paymentReference ?? null,
        paidAt: order.paidAt ?? null,
        customer: named,
        subscription,
      },
      subscription: {
        subscriptionId: s.id,
        subscription,
        customer: named,
        licenseRequests: written.licenseRequests.map((r) => ({ id: r.id, product: r.product })),
      },
    };
  },
};

export async function configurationSnapshot(db: DbOrTx, configurationId: number): Promise<Record<string, unknown>> {
  const row = await configuration(db, configurationId);
  if (!row) throw new Error(`KA configuration ${configurationId} does not exist`);
  return { configuration: row };
}

/** The snapshots of many entities of one type at once, for the types a batch records. */
export const snapshotsOf: Record<string, (db: DbOrTx, ids: number[]) => Promise<Map<number, Record<string, unknown>>>> =
  {
    license: licenseSnapshots,
    subscription: subscriptionSnapshots,
  };

/** The snapshot of each entity type an event can name. */
export const snapshotOf: Record<string, (db: DbOrTx, id: number) => Promise<Record<string, unknown>>> = {
  license: licenseSnapshot,
  license_request: licenseRequestSnapshot,
  order: orderSnapshot,
  subscription: subscriptionSnapshot,
  ka_configuration: configurationSnapshot,
};
