import type { DbOrTx } from '../../infra/db/database.js';
import type { Customer } from './customer.js';
import type { CustomerReader } from './customer-reader.js';

/** Customers in memory, for unit tests; `add` one, optionally owned by a store (its token id). */
export class FakeCustomerStore implements CustomerReader {
  private readonly customers = new Map<number, { customer: Customer; storeId: number | null }>();

  add(name: string, storeId: number | null = null): Customer {
    const id = this.customers.size + 1;
    const customer: Customer = { id, name, email: `${name}@example.test`, externalRef: null, createdAt: '' };
    this.customers.set(id, { customer, storeId });
    return customer;
  }

  async get(_db: DbOrTx, id: number, storeId?: number | null): Promise<Customer | undefined> {
    const found = this.customers.get(id);
    if (!found || (storeId !== undefined && storeId !== null && found.storeId !== storeId)) return undefined;
    return found.customer;
  }
}
