import type { Db } from '../infra/db/database.js';
import type { Logger } from '../infra/log/logger.js';
import { loadPlugins } from './plugin-loader.js';
import { PluginRegistry } from './plugin-registry.js';
import { syncPlugins } from './plugin-sync.js';

/**
 * Start-up of the plugin host: load every plugin folder (all broken ones reported in one
 * error), record them in the database, and answer the registry the features use.
 */
export async function startPluginHost(
  pluginsDir: string,
  db: Db,
  logger: Logger,
  options: { sync: boolean },
): Promise<PluginRegistry> {
  const plugins = await loadPlugins(pluginsDir);
  if (options.sync) {
    const { added, missing } = await syncPlugins(db, plugins);
    if (added.length) logger.info({ added }, 'KA plugins added');
    if (missing.length) logger.warn({ missing }, 'KA plugins missing: their configurations and licenses stay visible');
  }
  return new PluginRegistry(plugins, logger.child({ component: 'plugins' }));
}
