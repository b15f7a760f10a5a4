import type { Knex } from 'knex';
import type { DbOrTx } from '../infra/db/database.js';
import { toIso } from '../infra/db/rows.js';

export interface CustomerHit {
  id: number;
  name: string;
  email: string;
}
export interface OrderHit {
  id: number;
  reference: string;
  customerId: number;
  state: string;
  createdAt: string | null;
}
export interface LicenseHit {
  id: number;
  keyNumber: string;
  product: string;
  status: string;
  customerId: number | null;
  /** The text searched for equals one of this key's numbers or its activation code. */
  exact: boolean;
}

export interface SearchResults {
  customers: CustomerHit[];
  orders: OrderHit[];
  licenses: LicenseHit[];
}

/** At most this many hits of each kind: a search finds things, it is not a list. */
export const searchLimit = 20;

/** `!` escapes LIKE wildcards in the same way on SQLite and MySQL. */
function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

/**
 * `lower(column) like lower(pattern)`: the tables compare bytes (binary collation on MariaDB,
 * SQLite's default), so case is folded explicitly, on both sides, by the engine itself. Both
 * fold ASCII alike; MariaDB also folds other letters, SQLite does not.
 */
function ilike(q: Knex.QueryBuilder, column: string, pattern: string): Knex.QueryBuilder {
  return q.orWhereRaw("lower(??) like lower(?) escape '!'", [column, pattern]);
}

/**
 * Customers by name or e-mail (anywhere in them), orders by reference and licenses by key
 * number, full key number or activation code (from the start). Each kind is bounded; a term
 * matching a key exactly marks that hit `exact`, so the console can open it directly.
 */
export async function globalSearch(db: DbOrTx, term: string): Promise<SearchResults> {
  const text = term.trim();
  const contains = `%${escapeLike(text)}%`;
  const prefix = `${escapeLike(text)}%`;
  const [customers, orders, licenses] = await Promise.all([
    db('customers')
      .select('id', 'name', 'email')
      .where((w) => {
        ilike(w, 'name', contains);
        ilike(w, 'email', contains);
      })
      .orderBy('id', 'desc')
      .limit(searchLimit),
    db('orders')
      .select('id', 'reference', 'customer_id', 'state', 'created_at')
      .where((w) => {
        ilike(w, 'reference', prefix);
      })
      .orderBy('id', 'desc')
      .limit(searchLimit),
    db('licenses')
      .select('id', 'key_number', 'full_key_number', 'product_key', 'product', 'status', 'customer_id')
      .where((w) => {
        ilike(w, 'key_number', prefix);
        ilike(w, 'full_key_number', prefix);
        ilike(w, 'product_key', prefix);
      })
      .orderBy('id', 'desc')
      .limit(searchLimit),
  ]);
  const folded = text.toLowerCase();
  const same = (value: unknown) => typeof value === 'string' && value.toLowerCase() === folded;
  return {
    customers: customers.map((r) => ({ id: Number(r.id), name: String(r.name), email: String(r.email) })),
    orders: orders.map((r) => ({
      id: Number(r.id),
      reference: String(r.reference),
      customerId: Number(r.customer_id),
      state: String(r.state),
      createdAt: toIso(r.created_at),
    })),
    licenses: licenses.map((r) => ({
      id: Number(r.id),
      keyNumber: String(r.key_number),
      product: String(r.product),
      status: String(r.status),
      customerId: r.customer_id === null ? null : Number(r.customer_id),
      exact: same(r.key_number) || same(r.full_key_number) || same(r.product_key),
    })),
  };
}

/**
 * Where a search leads straight away: a key matched exactly, an order whose reference is the
 * term, or the only hit there is. Undefined means the results page.
 */
export function directHit(results: SearchResults, term: string): string | undefined {
  const exactKeys = results.licenses.filter((l) => l.exact);
  if (exactKeys.length === 1) return `/licenses/${exactKeys[0]?.id}`;
  const folded = term.trim().toLowerCase();
  const exactOrders = results.orders.filter((o) => o.reference.toLowerCase() === folded);
  if (exactOrders.length === 1 && exactKeys.length === 0) return `/orders/${exactOrders[0]?.id}`;
  const all = [
    ...results.customers.map((c) => `/customers/${c.id}`),
    ...results.orders.map((o) => `/orders/${o.id}`),
    ...results.licenses.map((l) => `/licenses/${l.id}`),
  ];
  return all.length === 1 ? all[0] : undefined;
}
