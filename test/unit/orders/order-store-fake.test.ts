import test from 'ava';
import { FakeAuditStore } from '../../../src/features/audit/audit-store-fake.js';
import { FakeOrderStore } from '../../../src/features/orders/order-store-fake.js';
import { fakeDb } from '../../../src/infra/db/fake-db.js';
import { runOrderStoreContract } from '../../contracts/order-store-contract.js';

runOrderStoreContract(test, 'in memory', async () => ({
  db: fakeDb(),
  store: new FakeOrderStore(),
  audit: new FakeAuditStore(),
  customerId: 1,
  planId: 1,
  storeIds: [7, 8],
}));
