import test from 'ava';
import { FakeAuditStore } from '../../../src/features/audit/audit-store-fake.js';
import { FakeServiceStore } from '../../../src/features/services/service-store-fake.js';
import { fakeDb } from '../../../src/infra/db/fake-db.js';
import { runServiceStoreContract } from '../../contracts/service-store-contract.js';

runServiceStoreContract(test, 'in memory', async () => {
  const store = new FakeServiceStore();
  return {
    db: fakeDb(),
    store,
    audit: new FakeAuditStore(),
    async subscription(services) {
      const subscriptionId = store.addSubscription();
      const ids: Record<string, number> = {};
      // As a payment makes them: pending, due at once.
      for (const s of services)
        ids[s.key] = store.add(subscriptionId, { ...s, nextAttemptAt: new Date(Date.now()).toISOString() }).id;
      return { subscriptionId, ids };
    },
  };
});
