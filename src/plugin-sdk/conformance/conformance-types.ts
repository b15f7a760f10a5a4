import type { KaAdapter } from '../ka-adapter.js';
import type { AdapterContext, KaPluginDefinition } from '../plugin-definition.js';
import type { SettingsValues } from '../settings.js';

/** Which adapter operation a fault targets; the server maps it to its protocol's call. */
export type ConformanceOperation = 'issue' | 'lookup' | 'retrieve' | 'test';

/**
 * A fault the test server plays for one operation:
 * - `latency`: answer `ms` late (the operation still happens);
 * - `error`: a KA business/internal error the protocol documents as retryable or not;
 * - `drop`: perform the operation, then close the connection without answering;
 * - `malformed`: perform it, then answer bytes that are not the protocol.
 */
export type ConformanceFault =
  | { kind: 'latency'; ms: number }
  | { kind: 'error'; retryable: boolean }
  | { kind: 'drop' }
  | { kind: 'malformed' };

/** A KA (usually the plugin's reference server) the kit can talk to and inspect. */
export interface ConformanceServer {
  /** Adapter settings pointing at this server, with valid credentials. */
  settings: SettingsValues;
  /** The adapter timeout these settings configure; the kit injects latency beyond it. */
  timeoutMs: number;
  /** A product id this KA sells, as `listProducts` would list it. */
  product: string;
  /**
   * Settings with a wrong credential. Default: `settings` with every secret setting (from
   * `definition`, or names like password/secret/token) replaced by another value.
   */
  wrongCredentials?: SettingsValues;
  injectFault(operation: ConformanceOperation, fault: ConformanceFault, times?: number): void | Promise<void>;
  clearFaults(): void | Promise<void>;
  /** Main keys that exist at the KA now, with our reference where the KA records it. */
  keysAtKa(): Promise<Array<{ keyNumber: string; reference?: string }>>;
  close(): Promise<void>;
}

export interface ConformanceOptions {
  makeServer(): Promise<ConformanceServer>;
  makeAdapter(settings: SettingsValues, context: AdapterContext): KaAdapter;
  /** The plugin's definition: tells the kit which settings are secret. */
  definition?: KaPluginDefinition;
  /** Prefix for test titles, e.g. the plugin name. */
  title?: string;
}
