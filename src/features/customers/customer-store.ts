import type { DbOrTx } from '../../infra/db/database.js';
import { toIso } from '../../infra/db/rows.js';
import type { Customer } from './customer.js';
import type { CustomerReader } from './customer-reader.js';

interface CustomerRow {
  id: number;
  name: string;
  email: string;
  external_ref: string | null;
  store_scope: number;
  created_at: number;
}

function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    externalRef: row.external_ref,
    createdAt: toIso(row.created_at) ?? '',
  };
}

/** The namespace of what staff (and admin or operator tokens) create; a store's is its token id. */
const staffScope = 0;

/**
 * Customers, each belonging to the store that created it (`storeId`, null for staff). A store
 * reaches only its own; its external references are unique among its own customers.
 */
export class CustomerStore implements CustomerReader {
  async insert(
    db: DbOrTx,
    input: { name: string; email: string; externalRef?: string; storeId?: number | null },
  ): Promise<number> {
    const now = Date.now();
    const [id] = await db('customers').insert({
      name: input.name,
      email: input.email,
      external_ref: input.externalRef ?? null,
      store_scope: input.storeId ?? staffScope,
      created_at: now,
      updated_at: now,
    });
    return Number(id);
  }

  /** With `storeId`, only a customer that store created: another is as absent as an id never used. */
  async get(db: DbOrTx, id: number, storeId?: number | null): Promise<Customer | undefined> {
    const q = db<CustomerRow>('customers').where({ id });
    if (storeId !== undefined && storeId !== null) q.where({ store_scope: storeId });
    const row = await q.first();
    return row ? toCustomer(row) : undefined;
  }

  /** The customer with this external reference in one namespace: a store's (its id) or staff's (null). */
  async getByExternalRef(db: DbOrTx, storeId: number | null, externalRef: string): Promise<Customer | undefined> {
    const row = await db<CustomerRow>('customers')
      .where({ store_scope: storeId ?? staffScope, external_ref: externalRef })
      .first();
    return row ? toCustomer(row) : undefined;
  }
}
