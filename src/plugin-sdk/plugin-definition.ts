import type { KaAdapter } from './ka-adapter.js';
import type { SettingDefinition, SettingsValues } from './settings.js';

/** Optional lifecycle actions an adapter implements. */
export type KaCapability =
  | 'listProducts'
  | 'getKeyInfo'
  | 'renew'
  | 'upgrade'
  | 'suspend'
  | 'resume'
  | 'terminate';

/** Data-only description of a plugin, validated by the plugin host when loaded. */
export interface KaPluginDefinition {
  /** Folder name under plugins/; lower-case kebab-case. */
  name: string;
  displayName: string;
  /** Semver. */
  version: string;
  description?: string;
  settings: SettingDefinition[];
  capabilities: KaCapability[];
}

/** Minimal structured logger given to adapters (pino-compatible). */
export interface PluginLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface AdapterContext {
  logger: PluginLogger;
  /** Injected so tests can move time. */
  clock: () => Date;
}

export type KaAdapterFactory = (settings: SettingsValues, context: AdapterContext) => KaAdapter;

/**
 * What `plugins/<name>/index.ts` exports as default: the definition and the adapter factory.
 */
export interface KaPlugin {
  definition: KaPluginDefinition;
  createAdapter: KaAdapterFactory;
}

/** Identity helper so plugin files get type checking without importing types by hand. */
export function defineKaPlugin(plugin: KaPlugin): KaPlugin {
  return plugin;
}
