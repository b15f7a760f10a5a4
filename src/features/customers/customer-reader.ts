import type { DbOrTx } from '../../infra/db/database.js';
import type { Customer } from './customer.js';

/**
 * Reads customers: what an order needs of the customers feature. `CustomerStore` implements it;
 * the composition root hands it to the orders feature.
 */
export interface CustomerReader {
  /** With `storeId`, only a customer that store created: another is as absent as an id never used. */
  get(db: DbOrTx, id: number, storeId?: number | null): Promise<Customer | undefined>;
}
