import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import type { Knex } from 'knex';
import plugin from '../../../plugins/soap-ka/index.js';
import { startReferenceSoapKa } from '../../../plugins/soap-ka/src/reference-server.js';
import { readInstallationId } from '../../../src/features/license-requests/installation-id.js';
import { LicenseRequestStore } from '../../../src/features/license-requests/license-request-store.js';
import { createLogger } from '../../../src/infra/log/logger.js';
import { migrationsDir } from '../../../src/infra/db/migrator.js';
import { insertKaConfiguration } from '../../helpers/catalog-fixtures.js';
import { createTestDatabase, testDialects } from '../../helpers/test-database.js';

/** The repository's migrations, to step the schema back and forth in a test. */
const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () =>
    fs
      .readdirSync(migrationsDir)
      .filter((f) => /^\d+.*\.ts$/.test(f))
      .sort(),
  getMigrationName: (file) => file.replace(/\.ts$/, ''),
  getMigration: async (file) => (await import(pathToFileURL(path.join(migrationsDir, file)).href)) as Knex.Migration,
};

const request = (configurationId: number) => ({
  subscriptionId: null,
  customerId: null,
  configurationId,
  serviceId: null,
  source: 'manual' as const,
  product: 'RAS-SUBSCRIPTION',
  features: [],
  quantity: 1,
  periodMonths: null,
  state: 'ready' as const,
});

for (const dialect of testDialects()) {
  test(`${dialect}: references carry the installation id; requests made before keep theirs, and their keys are still found`, async (t) => {
    const database = await createTestDatabase(dialect);
    const other = await createTestDatabase(dialect);
    const ka = await startReferenceSoapKa();
    try {
      const { db } = database;
      // A database from before installation ids, with one license request in it.
      await db.migrate.down({ migrationSource, name: '009_installation_id' });
      const configurationId = await insertKaConfiguration(db);
      const now = Date.now();
      const [oldId] = await db('license_requests').insert({
        configuration_id: configurationId,
        source: 'manual',
        product: 'RAS-SUBSCRIPTION',
        features: '[]',
        quantity: 1,
        state: 'issuing',
        attempts: 1,
        created_at: now,
        updated_at: now,
      });
      await db.migrate.latest({ migrationSource });

      const store = new LicenseRequestStore();
      const old = await store.get(db, Number(oldId));
      t.is(old?.reference, `keyway-request-${oldId}`, 'a request made before keeps the reference its key carries');

      const installationId = await readInstallationId(db);
      t.regex(installationId, /^[a-z2-7]{10}$/);
      const written = await store.insert(db, request(configurationId));
      const newId = written.id;
      t.is((await store.get(db, newId))?.reference, `kw-${installationId}-${newId}`);
      t.deepEqual(written, await store.get(db, newId), 'the insert answers the request as a read gives it');
      t.not(await readInstallationId(other.db), installationId, 'every installation has its own id');

      // The key the old request made carries the old reference; the lookup still finds it.
      const created = ka.authority.createKey(1001, {
        productId: 'RAS-SUBSCRIPTION',
        externalId: `keyway-request-${oldId}`,
        quota: 1,
      });
      const adapter = plugin.createAdapter(
        { endpoint: ka.url, login: 'demo-partner', password: 'demo-password' },
        { logger: createLogger('silent'), clock: () => new Date() },
      );
      const order = {
        requestId: String(oldId),
        reference: String(old?.reference),
        product: 'RAS-SUBSCRIPTION',
        features: [],
        quantity: 1,
      };
      const lookup = await adapter.findKeyByRef(order, new Date(now));
      t.is(lookup.status === 'found' ? lookup.key.keyNumber : lookup.status, created.main.keyNumber);
      await adapter.close?.();
    } finally {
      await ka.close();
      await database.drop();
      await other.drop();
    }
  });
}
