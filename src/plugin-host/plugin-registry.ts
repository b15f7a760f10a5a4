import type { KaAdapterProvider } from '../features/ka-configurations/ka-adapter-provider.js';
import type { Logger } from '../infra/log/logger.js';
import type { KaAdapter } from '../plugin-sdk/ka-adapter.js';
import type { KaPlugin, KaPluginDefinition, PluginReferenceKa } from '../plugin-sdk/plugin-definition.js';
import type { SettingsValues } from '../plugin-sdk/settings.js';

/** The loaded plugins, by name; builds adapters for KA configurations. */
export class PluginRegistry implements KaAdapterProvider {
  private readonly plugins: Map<string, KaPlugin>;

  constructor(
    plugins: KaPlugin[],
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.plugins = new Map(plugins.map((p) => [p.definition.name, p]));
  }

  list(): KaPluginDefinition[] {
    return [...this.plugins.values()].map((p) => p.definition);
  }

  /** The reference KAs the loaded plugins declare, by plugin name (for the demo). */
  referenceKas(): Array<{ plugin: string; referenceKa: PluginReferenceKa }> {
    return [...this.plugins.values()].flatMap((p) =>
      p.referenceKa ? [{ plugin: p.definition.name, referenceKa: p.referenceKa }] : [],
    );
  }

  definition(pluginName: string): KaPluginDefinition | undefined {
    return this.plugins.get(pluginName)?.definition;
  }

  createAdapter(pluginName: string, settings: SettingsValues, configurationId: number): KaAdapter {
    const plugin = this.plugins.get(pluginName);
    if (!plugin) throw new Error(`KA plugin ${pluginName} is not loaded`);
    // The child logger carries no settings: pino's redaction is a second guard, not the first.
    const logger = this.logger.child({ plugin: pluginName, configurationId });
    return plugin.createAdapter(settings, { logger, clock: this.clock });
  }
}
