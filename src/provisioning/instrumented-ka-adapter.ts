import type { KeywayMetrics } from '../infra/metrics/metrics.js';
import type { KaAdapter } from '../plugin-sdk/ka-adapter.js';
import { KaError } from '../plugin-sdk/ka-error.js';

/** The adapter methods that call the KA (`close` does not). */
const kaMethods = [
  'issueKey',
  'findKeyByRef',
  'tagKey',
  'retrieveFiles',
  'install',
  'testConnection',
  'listProducts',
  'getKeyInfo',
  'renew',
  'upgrade',
  'suspend',
  'resume',
  'terminate',
] as const satisfies ReadonlyArray<keyof KaAdapter>;

/**
 * The same adapter, each KA call timed and counted by configuration, method and result (`ok`,
 * or the KaError's code and the KA's result code): the seam every plugin goes through, so no
 * plugin measures itself. Optional methods a plugin lacks stay absent (they are capabilities).
 */
export function instrumentKaAdapter(adapter: KaAdapter, configuration: string, metrics: KeywayMetrics): KaAdapter {
  // A plain object of bound methods: class adapters with private fields need their own `this`.
  const instrumented: Record<string, unknown> = {};
  if (adapter.close) instrumented.close = adapter.close.bind(adapter);
  // How the plugin renews is a fact, not a call: a renewal reads it to choose the period it sends.
  if (adapter.renewPeriods) instrumented.renewPeriods = adapter.renewPeriods;
  for (const method of kaMethods) {
    const original = adapter[method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof original !== 'function') continue;
    const timed = async (...args: unknown[]): Promise<unknown> => {
      const end = metrics.kaCallDuration.startTimer({ configuration, method });
      try {
        const result = await original.apply(adapter, args);
        end({ result: 'ok' });
        return result;
      } catch (err) {
        const code = err instanceof KaError ? err.code : 'unclassified';
        end({ result: code });
        const kaResultCode = err instanceof KaError && err.kaResultCode !== undefined ? String(err.kaResultCode) : '';
        metrics.kaCallErrors.inc({ configuration, method, code, ka_result_code: kaResultCode });
        throw err;
      }
    };
    instrumented[method] = timed;
  }
  return instrumented as unknown as KaAdapter;
}
