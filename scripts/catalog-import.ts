import { readFileSync } from 'node:fs';
import { createAppContext } from '../src/app-context.js';
import { importCatalog } from '../src/bootstrap/catalog-import.js';
import { composeKeyway } from '../src/composition-root.js';
import { loadConfig } from '../src/config/config.js';
import { migrateLatest } from '../src/infra/db/migrator.js';
import { createLogger } from '../src/infra/log/logger.js';
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
  // The same parts a start builds: KA configurations are created as the API creates them.
  const keyway = await composeKeyway(context, { serves: true, publicBaseUrl: () => `http://127.0.0.1:${config.port}` });
  const report = await importCatalog(
    { db: context.db, stores: keyway.stores },
    keyway.configurations.service,
    input,
  ).catch((err: Error) => {
    process.stderr.write(`${file}: ${err.message}\n`);
    process.exitCode = 65;
    return undefined;
  });
  await keyway.close();
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
