import type { KaConfigurationService } from '../features/ka-configurations/ka-configuration-service.js';
import type { StoredKaConfiguration } from '../features/ka-configurations/ka-configuration-store.js';
import type { LicenseRequest } from '../features/license-requests/license-request.js';
import type { LicenseOrder } from '../plugin-sdk/ka-adapter.js';
import type { ServiceSettings } from './service-settings.js';

/** Why a request's configuration cannot serve it now (staff must act), or undefined when it can. */
export function unusableReason(
  configurations: Pick<KaConfigurationService, 'pluginMissing'>,
  configuration: StoredKaConfiguration,
): string | undefined {
  if (!configuration.enabled) return 'the KA configuration is disabled';
  if (configurations.pluginMissing(configuration)) return `the KA plugin ${configuration.pluginName} is missing`;
  return undefined;
}

/** What the KA is asked for a request: its product, quantity and term, and its service's server. */
export function licenseOrderOf(request: LicenseRequest, service: ServiceSettings): LicenseOrder {
  const ips = service.ips ?? [];
  return {
    requestId: String(request.id),
    reference: request.reference,
    product: request.product,
    features: request.features,
    quantity: request.quantity,
    periodMonths: request.periodMonths ?? undefined,
    server: ips.length ? { ips, macs: [] } : undefined,
  };
}
