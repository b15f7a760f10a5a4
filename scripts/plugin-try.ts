/**
 * Call one adapter action against a configured KA and print the result and the HTTP
 * exchange(s), secrets masked — the way provider engineers debug a KA connection:
 *   npm run plugin:try -- <configuration id or name> <action> [args...]
 * The configuration is read from the database named by KEYWAY_DB_URL; the adapter is built
 * by the plugin host from plugins/ (KEYWAY_PLUGINS_DIR). Actions: the core ones and every
 * capability the plugin declares (without an action, the configuration's actions are listed).
 */
import { loadConfig } from '../src/config/config.js';
import { KaConfigurationStore } from '../src/features/ka-configurations/ka-configuration-store.js';
import { openSettings, secretValues } from '../src/features/ka-configurations/settings-values.js';
import { openSecretBox } from '../src/bootstrap/secret-key.js';
import { createDatabase } from '../src/infra/db/database.js';
import { createLogger } from '../src/infra/log/logger.js';
import { loadPlugins } from '../src/plugin-host/plugin-loader.js';
import { PluginRegistry } from '../src/plugin-host/plugin-registry.js';
import { isKaError, type WireExchange, withWireTap } from '../src/plugin-sdk/index.js';
import { ACTIONS, actionsOf, runAction, UsageError } from './plugin-kit/try-action.js';
import { formatExchange, secretMasker } from './plugin-kit/wire-masking.js';

const usageOf = (actions: Record<string, string>, what: string): string =>
  `usage: npm run plugin:try -- <configuration id or name> <action> [args...]\n${what}:\n${Object.entries(actions)
    .map(([name, args]) => `  ${name} ${args}`)
    .join('\n')}\n`;
let usage = usageOf(ACTIONS, 'actions (each plugin offers those it declares)');

const [which, action, ...args] = process.argv.slice(2);
if (!which) {
  process.stderr.write(usage);
  process.exit(2);
}

const config = loadConfig(process.env);
const db = createDatabase(config.databaseUrl);
let exitCode = 0;
try {
  const store = new KaConfigurationStore();
  const configuration = /^\d+$/.test(which) ? await store.get(db, Number(which)) : await store.getByName(db, which);
  if (!configuration) throw new UsageError(`no KA configuration ${which}`);
  // Warnings only: the adapter's own logs would interleave with the wire output.
  const registry = new PluginRegistry(await loadPlugins(config.pluginsDir), createLogger('warn', process.stderr));
  const definition = registry.definition(configuration.pluginName);
  if (!definition)
    throw new UsageError(`plugin ${configuration.pluginName} of configuration ${configuration.name} is not loaded`);
  usage = usageOf(actionsOf(definition), `actions of ${configuration.name} (plugin ${definition.name})`);
  if (!action) throw new UsageError('missing action');
  // Secrets are stored sealed; a configuration this key cannot open is refused with the reason.
  let settings: typeof configuration.settings;
  try {
    settings = openSettings(configuration.settings, openSecretBox(config, { create: false }));
  } catch (error) {
    throw new Error(
      `KA configuration "${configuration.name}": ${(error as Error).message}; set KEYWAY_SECRET_KEY (or keep the key file beside the database) as for Keyway itself`,
    );
  }
  const logins = Object.values(settings).filter((v): v is string => typeof v === 'string');
  const mask = secretMasker(secretValues(definition.settings, settings), logins);
  const adapter = registry.createAdapter(configuration.pluginName, settings, configuration.id);
  const exchanges: WireExchange[] = [];
  process.stdout.write(
    `${configuration.name} (#${configuration.id}, plugin ${configuration.pluginName}) › ${action} ${args.join(' ')}\n\n`,
  );
  try {
    const result = await withWireTap(
      (exchange) => exchanges.push(exchange),
      () => runAction(adapter, definition, action, args),
    );
    process.stdout.write(`${mask(`=== result\n${JSON.stringify(result, null, 2)}`)}\n`);
  } catch (error) {
    if (!isKaError(error)) throw error;
    exitCode = 1;
    process.stdout.write(`${mask(`=== KaError\n${JSON.stringify(error.toJSON(), null, 2)}`)}\n`);
  } finally {
    await adapter.close?.();
  }
  exchanges.forEach((exchange, i) => {
    process.stdout.write(`\n=== wire exchange ${i + 1} of ${exchanges.length}\n${formatExchange(exchange, mask)}\n`);
  });
} catch (error) {
  exitCode = error instanceof UsageError ? 2 : 1;
  process.stderr.write(`${(error as Error).message}\n${error instanceof UsageError ? usage : ''}`);
} finally {
  await db.destroy();
}
process.exit(exitCode);
