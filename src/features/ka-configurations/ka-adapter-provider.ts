import type { KaAdapter } from '../../plugin-sdk/ka-adapter.js';
import type { KaPluginDefinition } from '../../plugin-sdk/plugin-definition.js';
import type { SettingsValues } from '../../plugin-sdk/settings.js';

/**
 * How features reach plugins without importing them: the plugin host implements this at
 * start. Features and the pipeline see definitions and adapters, never plugin modules.
 */
export interface KaAdapterProvider {
  /** The loaded plugin's definition, or undefined when the plugin is missing. */
  definition(pluginName: string): KaPluginDefinition | undefined;
  /** A new adapter for these settings; the caller closes it. */
  createAdapter(pluginName: string, settings: SettingsValues, configurationId: number): KaAdapter;
}
