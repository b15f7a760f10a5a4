import type { LicenseAuthority } from '../reference-ka/license-authority.js';
import type { KaAdapter } from './ka-adapter.js';
import type { SettingDefinition, SettingsValues } from './settings.js';

/** Optional lifecycle actions an adapter implements: what a plugin may declare in `capabilities`. */
export const kaCapabilities = [
  'listProducts',
  'getKeyInfo',
  'renew',
  'upgrade',
  'suspend',
  'resume',
  'terminate',
  'changeQuantity',
  'createAdditionalKey',
  'modifyAdditionalKey',
  'deleteAdditionalKey',
  'listActivations',
  'deactivate',
  'fetchUsage',
] as const;

/** One of `kaCapabilities`. */
export type KaCapability = (typeof kaCapabilities)[number];

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

/** A plugin's reference KA, started: where it listens and the settings of a configuration for it. */
export interface RunningReferenceKa {
  url: string;
  settings: SettingsValues;
  close(): Promise<void>;
}

/**
 * The reference KA a plugin ships: a server speaking its protocol over the shared vendor-side
 * authority (src/reference-ka). The demo (`npm start`) starts every declared one on one
 * authority, creates the configuration "Demo KA (<label>)" with the settings `start` answers,
 * and sells `demoOrder` in the demo plan. Reference KAs keep their keys in memory.
 */
export interface PluginReferenceKa {
  /** Short protocol name for the demo configuration, e.g. `REST`. */
  label: string;
  /** Start it on `authority` (a free loopback port); import the server lazily, so Keyway loads it only for the demo. */
  start(authority: LicenseAuthority): Promise<RunningReferenceKa>;
  /** What the demo plan sells through this KA. */
  demoOrder: { product: string; quantity?: number; features?: string[] };
}

/**
 * What `plugins/<name>/index.ts` exports as default: the definition, the adapter factory and,
 * optionally, the plugin's reference KA.
 */
export interface KaPlugin {
  definition: KaPluginDefinition;
  createAdapter: KaAdapterFactory;
  referenceKa?: PluginReferenceKa;
}

/** Identity helper so plugin files get type checking without importing types by hand. */
export function defineKaPlugin(plugin: KaPlugin): KaPlugin {
  return plugin;
}
