import type { KeywayMetrics } from '../infra/metrics/metrics.js';
import type { KaAdapter } from '../plugin-sdk/ka-adapter.js';
import { KaError } from '../plugin-sdk/ka-error.js';

/** Every method of the adapter contract but `close`: the calls that reach the KA. */
type KaMethod = Exclude<
  {
    [K in keyof KaAdapter]-?: NonNullable<KaAdapter[K]> extends (...args: never[]) => unknown ? K : never;
  }[keyof KaAdapter],
  'close'
>;

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
  'changeQuantity',
  'createAdditionalKey',
  'modifyAdditionalKey',
  'deleteAdditionalKey',
  'listActivations',
  'deactivate',
  'fetchUsage',
] as const satisfies ReadonlyArray<KaMethod>;

// A method added to the contract and not listed above would be invisible to Keyway: the build fails instead.
type Unlisted = Exclude<KaMethod, (typeof kaMethods)[number]>;
const everyMethodListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyMethodListed;

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
