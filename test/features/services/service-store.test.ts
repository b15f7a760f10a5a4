import test from 'ava';
import { AuditStore } from '../../../src/features/audit/audit-store.js';
import { KnexServiceStore } from '../../../src/features/services/service-store.js';
import { runServiceStoreContract } from '../../contracts/service-store-contract.js';
import { testDialects, useTestDatabase } from '../../helpers/test-database.js';
import { insertSubscription } from './service-fixtures.js';

for (const dialect of testDialects()) {
  const database = useTestDatabase(dialect);
  runServiceStoreContract(test, dialect, async () => ({
    db: database.db,
    store: new KnexServiceStore(),
    audit: new AuditStore(),
    subscription: (services) =>
      insertSubscription(
        database.db,
        services.map((s) => ({ ...s, provisioner: 'manual' as const })),
      ),
  }));
}
