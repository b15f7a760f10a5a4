import { randomBytes } from 'node:crypto';
import test from 'ava';
import { AuditStore } from '../../../src/features/audit/audit-store.js';
import { KaConfigurationService } from '../../../src/features/ka-configurations/ka-configuration-service.js';
import { KaConfigurationStore } from '../../../src/features/ka-configurations/ka-configuration-store.js';
import { SecretBox } from '../../../src/infra/db/secret-box.js';
import { createLogger } from '../../../src/infra/log/logger.js';
import { InProcessJobQueue } from '../../../src/infra/queue/in-process-job-queue.js';
import { workerActor } from '../../../src/kernel/actor.js';
import { PluginRegistry } from '../../../src/plugin-host/plugin-registry.js';
import { insertKaConfiguration } from '../../helpers/catalog-fixtures.js';
import { createTestDatabase, testDialects } from '../../helpers/test-database.js';

for (const dialect of testDialects()) {
  test(`${dialect}: a fetch of products given up by the queue marks the configuration failing, with its audit event, once`, async (t) => {
    const { db, drop } = await createTestDatabase(dialect);
    const queue = new InProcessJobQueue();
    t.teardown(async () => {
      await queue.close({ timeoutMs: 1000 });
      await drop();
    });
    const audit = new AuditStore();
    const service = new KaConfigurationService(
      db,
      new KaConfigurationStore(),
      audit,
      new PluginRegistry([], createLogger('silent')),
      queue,
      createLogger('silent'),
      new SecretBox(randomBytes(32)),
    );
    const id = await insertKaConfiguration(db);
    await db('ka_configurations').where({ id }).update({ status: 'fetching_products' });

    await service.markFetchFailed(id, workerActor);
    await service.markFetchFailed(id, workerActor);

    t.is((await db('ka_configurations').where({ id }).first()).status, 'failing');
    const events = await audit.history(db, 'ka_configuration', id);
    t.deepEqual(
      events.map((e) => [e.action, e.fromState, e.toState]),
      [['ka_configuration.products_given_up', 'fetching_products', 'failing']],
    );
  });
}
