import { readFileSync } from 'node:fs';
import { createAppContext } from '../src/app-context.js';
import { importCatalog } from '../src/bootstrap/catalog-import.js';
import { loadConfig } from '../src/config/config.js';
import { KaConfigurationService } from '../src/features/ka-configurations/ka-configuration-service.js';
import { KaConfigurationStore } from '../src/features/ka-configurations/ka-configuration-store.js';
import { migrateLatest } from '../src/infra/db/migrator.js';
import { createLogger } from '../src/infra/log/logger.js';
import { startPluginHost } from '../src/plugin-host/plugin-host.js';
import { usageError } from './cli-database.js';

/**
 * `npm run catalog:import -- <file>`: KA configurations, customers and plans from a JSON file
 * (`src/bootstrap/catalog-import.ts` says what it holds). Importing a file twice changes
 * nothing. A new configuration's products are fetched by a worker (the job goes on the queue).
 */
const usage = 'usage: npm run catalog:import -- <catalogue.json>';
const [file, ...rest] = process.argv.slice(2);
if (!file || rest.length) usageError('give one catalogue file', usage);
let input: unknown;
try {
  input = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  usageError(`${file}: ${(err as Error).message}`, usage);
}

const config = loadConfig(process.env);
const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
const context = createAppContext(config, logger);
try {
  if (config.migrateOnStart) await migrateLatest(context.db);
  const plugins = await startPluginHost(config.pluginsDir, context.db, logger, { sync: true });
  const configurations = new KaConfigurationService(
    context.db,
    new KaConfigurationStore(),
    context.stores.audit,
    plugins,
    context.queue,
    logger,
    context.secrets,
  );
  const report = await importCatalog(context, configurations, input).catch((err: Error) => {
    process.stderr.write(`${file}: ${err.message}\n`);
    process.exitCode = 65;
    return undefined;
  });
  if (report) {
    for (const [kind, { created, unchanged }] of Object.entries(report)) {
      for (const n of created) process.stdout.write(`created ${kind.replace(/s$/, '')} ${n}\n`);
      for (const n of unchanged) process.stdout.write(`unchanged ${kind.replace(/s$/, '')} ${n} (exists)\n`);
    }
    const ids = await context
      .db('plans')
      .whereIn('code', [...report.plans.created, ...report.plans.unchanged])
      .select('id', 'code');
    for (const p of ids) process.stdout.write(`plan ${p.code} has id ${p.id}\n`);
  }
} finally {
  await context.close();
}
