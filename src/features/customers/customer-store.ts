import type { DbOrTx } from '../../infra/db/database.js';
import { toIso } from '../../infra/db/rows.js';

export interface Customer {
  id: number;
  name: string;
  email: string;
  externalRef: string | null;
  createdAt: string;
}

interface CustomerRow {
  id: number;
  name: string;
  email: string;
  external_ref: string | null;
  created_at: number;
}

function toCustomer(row: CustomerRow): Customer {
  return { id: row.id, name: row.name, email: row.email, externalRef: row.external_ref, createdAt: toIso(row.created_at) ?? '' };
}

export class CustomerStore {
  async insert(db: DbOrTx, input: { name: string; email: string; externalRef?: string }): Promise<number> {
    const now = Date.now();
    const [id] = await db('customers').insert({
      name: input.name,
      email: input.email,
      external_ref: input.externalRef ?? null,
      created_at: now,
      updated_at: now,
    });
    return Number(id);
  }

  async get(db: DbOrTx, id: number): Promise<Customer | undefined> {
    const row = await db<CustomerRow>('customers').where({ id }).first();
    return row ? toCustomer(row) : undefined;
  }

  async getByExternalRef(db: DbOrTx, externalRef: string): Promise<Customer | undefined> {
    const row = await db<CustomerRow>('customers').where({ external_ref: externalRef }).first();
    return row ? toCustomer(row) : undefined;
  }
}
