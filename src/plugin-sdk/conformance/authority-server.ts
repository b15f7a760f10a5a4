import { type InjectedFault, type KeyRecord, LicenseAuthority } from '../../reference-ka/index.js';
import type { SettingsValues } from '../settings.js';
import type {
  ConformanceFault,
  ConformanceOperation,
  ConformanceServer,
  ConformanceServerOptions,
} from './conformance-types.js';

/** A protocol's reference server, as the kit needs it to build a `ConformanceServer`. */
export interface ReferenceFrontForKit {
  /** Starts the front on `authority`; answers adapter settings pointing at it (valid credentials). */
  start(authority: LicenseAuthority): Promise<{ settings: SettingsValues; close(): Promise<void> }>;
  /** The timeout and response limit the settings configure. */
  timeoutMs: number;
  maxResponseBytes: number;
  product: string;
  orderTerms: ConformanceServer['orderTerms'];
  upgradeFeature?: string;
  renewPeriodMonths?: number;
  /**
   * The front's operation names (faults are armed under them) for the kit's operations;
   * `renew` is needed when the plugin declares renew.
   */
  operations: Record<Exclude<ConformanceOperation, 'renew'>, string> & { renew?: string };
  /** A refusal the protocol documents as retryable, and one it documents as permanent. */
  refusals: { retryable: string | number; permanent: string | number };
  /** Our reference as the front keeps it on a key (external id, note). */
  referenceOf(key: KeyRecord): string | undefined;
}

function injected(fault: ConformanceFault, refusals: ReferenceFrontForKit['refusals']): InjectedFault {
  if (fault.kind === 'error')
    return { kind: 'result', code: fault.retryable ? refusals.retryable : refusals.permanent, message: fault.message };
  return fault;
}

/**
 * `makeServer` for a plugin whose reference server is a front over the shared
 * `LicenseAuthority` (src/reference-ka): a fresh authority per test, in the mode the kit asks
 * for, faults armed under the front's operation names, and keys read from the authority.
 */
export function conformanceServerOnAuthority(
  front: ReferenceFrontForKit,
): (options: ConformanceServerOptions) => Promise<ConformanceServer> {
  return async (options) => {
    const authority = new LicenseAuthority({ demo: true, idempotentCreate: options.idempotentCreate });
    const running = await front.start(authority);
    return {
      settings: running.settings,
      timeoutMs: front.timeoutMs,
      maxResponseBytes: front.maxResponseBytes,
      product: front.product,
      orderTerms: front.orderTerms,
      upgradeFeature: front.upgradeFeature,
      renewPeriodMonths: front.renewPeriodMonths,
      injectFault: (operation, fault, times) => {
        const name = front.operations[operation];
        if (!name)
          throw new Error(
            `give the kit's server the front's operation name for ${operation} (operations.${operation})`,
          );
        authority.injectFault(name, injected(fault, front.refusals), { times });
      },
      clearFaults: () => authority.clearFaults(),
      keysAtKa: async () =>
        authority
          .listKeys()
          .filter((key) => key.kind === 'MAIN')
          .map((key) => ({
            keyNumber: key.keyNumber,
            reference: front.referenceOf(key),
            quantity: key.quota,
            periodMonths: key.periodMonths,
            features: [...key.features],
            expiresAt: key.expiresAt,
            termKind: key.termKind,
            revision: key.revision,
            suspended: key.suspended,
            terminated: key.terminated,
          })),
      additionalKeysAtKa: async (parentKeyNumber) =>
        authority
          .listKeys()
          .filter((key) => key.parentKeyNumber === parentKeyNumber && !key.terminated)
          .map((key) => ({
            keyNumber: key.keyNumber,
            reference: front.referenceOf(key),
            quantity: Object.values(key.reserves ?? authority.getProduct(key.productId).reserves ?? {})[0],
            expiresAt: key.expiresAt,
            name: key.name,
            terminated: key.terminated,
          })),
      activateFarm: async (keyNumber, farm) => {
        const key = authority.getKey(keyNumber);
        authority.activateKey(key.clientId, key.keyNumber, farm.serverId, farm);
      },
      farmsAtKa: async (keyNumber) =>
        authority
          .farmsOf(keyNumber)
          .map(({ activationKey, farm }) => ({ activationKey, serverId: farm.serverId, status: farm.status })),
      advanceClock: async (ms) => {
        authority.advanceClock(ms);
      },
      close: running.close,
    };
  };
}
