import type { KaConfigurationService } from '../features/ka-configurations/ka-configuration-service.js';
import type { StoredKaConfiguration } from '../features/ka-configurations/ka-configuration-store.js';
import type { KeywayMetrics } from '../infra/metrics/metrics.js';
import type { KaAdapter } from '../plugin-sdk/ka-adapter.js';
import { instrumentKaAdapter } from './instrumented-ka-adapter.js';

/**
 * One adapter per configuration version, reused across jobs so connections stay warm. A
 * changed configuration (new `updatedAt`) gets a fresh adapter and the old one is closed.
 */
export class AdapterCache {
  private readonly adapters = new Map<number, { version: string; adapter: KaAdapter }>();

  constructor(
    private readonly configurations: KaConfigurationService,
    /** Set: every adapter's KA calls are timed and counted (`instrumentKaAdapter`). */
    private readonly metrics?: KeywayMetrics,
  ) {}

  get(config: StoredKaConfiguration): KaAdapter {
    const cached = this.adapters.get(config.id);
    if (cached && cached.version === config.updatedAt) return cached.adapter;
    if (cached) void cached.adapter.close?.();
    const plain = this.configurations.adapterFor(config);
    const adapter = this.metrics ? instrumentKaAdapter(plain, config.name, this.metrics) : plain;
    this.adapters.set(config.id, { version: config.updatedAt, adapter });
    return adapter;
  }

  async close(): Promise<void> {
    const all = [...this.adapters.values()];
    this.adapters.clear();
    await Promise.all(all.map((a) => a.adapter.close?.()));
  }
}
