import type { KaAdapter } from '../ka-adapter.js';
import type { AdapterContext, KaPluginDefinition } from '../plugin-definition.js';
import type { SettingsValues } from '../settings.js';

/** Which adapter operation a fault targets; the server maps it to its protocol's call. */
export type ConformanceOperation = 'issue' | 'lookup' | 'retrieve' | 'test' | 'renew';

/**
 * A fault the test server plays for one operation:
 * - `latency`: answer `ms` late (the operation still happens);
 * - `error`: a KA refusal the protocol documents as retryable or not, with `message` as the
 *   KA's own text (the kit puts a password in it: the adapter must scrub it);
 * - `drop`: perform the operation, then close the connection without answering;
 * - `malformed`: perform it, then answer bytes that are not the protocol;
 * - `status`: answer this HTTP status instead, with a body that is not the protocol (a gateway
 *   or a misplaced endpoint), without performing the operation;
 * - `oversize`: perform it, then answer with `bytes` more bytes than the answer;
 * - `fileName`: perform it (retrieve), then name the license file so.
 */
export type ConformanceFault =
  | { kind: 'latency'; ms: number }
  | { kind: 'error'; retryable: boolean; message?: string }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  | { kind: 'status'; status: number }
  | { kind: 'oversize'; bytes: number }
  | { kind: 'fileName'; fileName: string };

/** A main key at the KA, with what the kit checks of it. Leave out what the KA does not keep. */
export interface ConformanceKey {
  keyNumber: string;
  /** Our reference, where the KA records it (external id, note). */
  reference?: string;
  /** What the key kept of the order (see `ConformanceServer.orderTerms`). */
  quantity?: number;
  periodMonths?: number;
  features?: string[];
  /** For the checks of declared capabilities: renew, suspend, resume, terminate. */
  expiresAt?: Date;
  /** The key's term facts, for the kit to find in what the adapter reports (`IssuedKey`). */
  termKind?: 'term' | 'lease';
  /** Revision of the key's file now (changes with each renewal). */
  revision?: string;
  suspended?: boolean;
  terminated?: boolean;
  /** Additional keys (`additionalKeysAtKa`): its name, where the KA keeps one. */
  name?: string;
}

/** A farm at the KA (see `ConformanceServer.farmsAtKa`). */
export interface ConformanceFarm {
  /** The key (number without revision) the farm was activated with. */
  activationKey: string;
  serverId: string;
  status: 'active' | 'deactivated';
}

/** What an installation tells the KA when it activates a key (`ConformanceServer.activateFarm`). */
export interface ConformanceFarmActivation {
  serverId: string;
  farmName?: string;
  appVersion?: string;
  /** Concurrent users now: the farm's peak usage from its next report on. */
  usage?: number;
}

/** How the kit wants the server. */
export interface ConformanceServerOptions {
  /**
   * False: the KA makes a key for every create, even for an external id it has seen (as
   * Partner API 1.0 does); a create sent twice then shows as a second key. True: the KA's
   * usual behaviour.
   */
  idempotentCreate: boolean;
}

/** A KA (usually the plugin's reference server) the kit can talk to and inspect. */
export interface ConformanceServer {
  /** Adapter settings pointing at this server, with valid credentials. */
  settings: SettingsValues;
  /** The adapter timeout these settings configure; the kit injects latency beyond it. */
  timeoutMs: number;
  /** The response size limit these settings configure; the kit sends a larger answer. */
  maxResponseBytes: number;
  /** A product id this KA sells, as `listProducts` would list it. */
  product: string;
  /**
   * What the KA keeps of an order besides its product, for the kit to order and then find on
   * the key (`keysAtKa`): `quantity` (more than 1) for a product counted in units,
   * `periodMonths` where the KA sells by period, `features` the product offers. `{}` when the
   * KA keeps none of them.
   */
  orderTerms: { quantity?: number; periodMonths?: number; features?: string[] };
  /** A feature `upgrade` can add to a key of `product` (not in `orderTerms.features`); needed when the plugin declares upgrade. */
  upgradeFeature?: string;
  /**
   * The period the kit renews a key of `product` by (needed when the plugin declares renew):
   * one the product sells and other than `orderTerms.periodMonths`, so a renewal that ignores
   * it shows; for an adapter whose `renewPeriods` is `fixed`, the key's own period.
   */
  renewPeriodMonths?: number;
  /**
   * Settings with a wrong credential. Default: `settings` with every secret setting (from
   * `definition`, or names like password/secret/token) replaced by another value.
   */
  wrongCredentials?: SettingsValues;
  injectFault(operation: ConformanceOperation, fault: ConformanceFault, times?: number): void | Promise<void>;
  clearFaults(): void | Promise<void>;
  /** Main keys that exist at the KA now. */
  keysAtKa(): Promise<ConformanceKey[]>;
  /**
   * The additional keys of a main key at the KA, deleted ones left out: `quantity` is what each
   * reserves, `reference` our reference on it, `expiresAt` its expiry. Needed when the plugin
   * declares createAdditionalKey, modifyAdditionalKey or deleteAdditionalKey.
   */
  additionalKeysAtKa?(parentKeyNumber: string): Promise<ConformanceKey[]>;
  /**
   * Play the vendor's product: an installation activates `keyNumber` (a farm). Rejects when the
   * KA refuses it (the key is active elsewhere, or has used its 3 moves). Needed when the plugin
   * declares listActivations, deactivate or deleteAdditionalKey.
   */
  activateFarm?(keyNumber: string, farm: ConformanceFarmActivation): Promise<void>;
  /** The farms at the KA of a key and, for a main key, of its additional keys (deleted ones included). */
  farmsAtKa?(keyNumber: string): Promise<ConformanceFarm[]>;
  /** Move the KA's clock forward by `ms` (farms report, keys expire); optional: checks that need it are skipped without. */
  advanceClock?(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface ConformanceOptions {
  makeServer(options: ConformanceServerOptions): Promise<ConformanceServer>;
  makeAdapter(settings: SettingsValues, context: AdapterContext): KaAdapter;
  /** The plugin's definition: which settings are secret, which declared capabilities to check. */
  definition: KaPluginDefinition;
  /** Prefix for test titles, e.g. the plugin name. */
  title?: string;
}
