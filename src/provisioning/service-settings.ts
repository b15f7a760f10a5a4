import type { DbOrTx } from '../infra/db/database.js';
import { fromJson } from '../infra/db/rows.js';
import type { InstallTarget } from '../plugin-sdk/ka-adapter.js';

/** The settings of a subscription service that the pipeline reads: server IPs and install target. */
export interface ServiceSettings {
  ips?: string[];
  installUrl?: string;
  installToken?: string;
}

/** Reads the settings of the service a request belongs to; a standalone request has none. */
export async function serviceSettingsOf(deps: { db: DbOrTx }, serviceId: number | null): Promise<ServiceSettings> {
  if (serviceId === null) return {};
  const row = await deps.db('services').select('settings').where({ id: serviceId }).first();
  return fromJson<ServiceSettings>(row?.settings, {});
}

/** The install target of a request: its service's install URL, if the service has one. */
export function installTargetOf(serviceId: number | null, settings: ServiceSettings): InstallTarget | undefined {
  return serviceId !== null && settings.installUrl
    ? { serviceId: String(serviceId), url: settings.installUrl, token: settings.installToken }
    : undefined;
}

/** `serviceSettingsOf` for many services in one read (the batch pipeline). */
export async function serviceSettingsOfMany(
  deps: { db: DbOrTx },
  serviceIds: Array<number | null>,
): Promise<Map<number, ServiceSettings>> {
  const ids = [...new Set(serviceIds.filter((id): id is number => id !== null))];
  if (!ids.length) return new Map();
  const rows = (await deps.db('services').select('id', 'settings').whereIn('id', ids)) as Array<{
    id: number;
    settings: unknown;
  }>;
  return new Map(rows.map((r) => [Number(r.id), fromJson<ServiceSettings>(r.settings, {})]));
}
