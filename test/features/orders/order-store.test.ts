import test from 'ava';
import { AuditStore } from '../../../src/features/audit/audit-store.js';
import { TokenStore } from '../../../src/features/auth/token-store.js';
import { CustomerStore } from '../../../src/features/customers/customer-store.js';
import { KnexOrderStore } from '../../../src/features/orders/order-store.js';
import { PlanStore } from '../../../src/features/plans/plan-store.js';
import { runOrderStoreContract } from '../../contracts/order-store-contract.js';
import { testDialects, useTestDatabase } from '../../helpers/test-database.js';

for (const dialect of testDialects()) {
  const database = useTestDatabase(dialect);
  let plans = 0;
  runOrderStoreContract(test, dialect, async () => {
    const db = database.db;
    const tokens = new TokenStore();
    const storeIds: [number, number] = [
      (await tokens.create(db, { name: `store-a-${plans}`, role: 'store' })).id,
      (await tokens.create(db, { name: `store-b-${plans}`, role: 'store' })).id,
    ];
    const customerId = await new CustomerStore().insert(db, { name: 'acme', email: 'acme@example.test' });
    const planId = await new PlanStore().insert(db, {
      code: `plan-${plans++}`,
      name: 'Plan',
      periods: [12],
      services: [],
      licenseProducts: [],
    });
    // One database for the file: each rig's orders are told apart by their own customer.
    return { db, store: new KnexOrderStore(), audit: new AuditStore(), customerId, planId, storeIds };
  });
}
