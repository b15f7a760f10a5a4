import type { ApiClient } from './api-client.js';

/** What the campaign sells: a plan per order, with the server its license is for. */
export interface SaleItem {
  planId: number;
  serverIp: string;
}

let nextServer = 1;

/** A server address no other plan of the run uses (198.18.0.0/15, the benchmarking range). */
function newServerIp(): string {
  const n = nextServer++;
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

/**
 * Creates a KA configuration for the XML-RPC plugin through the API and waits until Keyway
 * fetched its products (the configuration is `configured`).
 */
export async function createKaConfiguration(
  api: ApiClient,
  name: string,
  endpoint: string,
  timeoutMs: number,
): Promise<number> {
  const settings = { endpoint, login: 'demo-partner', password: 'demo-password', clientId: 1001, timeoutMs };
  const created = await api.expect<{ id: number }>('POST', '/api/v1/ka-configurations', {
    body: { name, plugin: 'parallels-ka', settings },
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const config = await api.expect<{ status: string; lastError?: unknown }>(
      'GET',
      `/api/v1/ka-configurations/${created.id}`,
    );
    if (config.status === 'configured') return created.id;
    if (config.status === 'failing' || Date.now() > deadline)
      throw new Error(`KA configuration ${name} is ${config.status}: ${JSON.stringify(config.lastError)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function createCustomer(api: ApiClient, name: string): Promise<number> {
  const customer = await api.expect<{ id: number }>('POST', '/api/v1/customers', {
    body: { name, email: 'chaos@example.com', externalRef: name },
  });
  return customer.id;
}

/**
 * `count` plans selling one Plesk key through `configurationId`. The XML-RPC KA can look a key
 * up only by server, so the servers are mixed: of every four plans, the first two (two orders
 * paid moments apart) install on one server, where a lost answer leaves the pipeline two keys
 * to tell apart, and the other two on servers of their own, where it can find its key.
 */
export async function createPlans(
  api: ApiClient,
  options: { prefix: string; count: number; configurationId: number; installUrl: string; installToken: string },
): Promise<SaleItem[]> {
  const items: SaleItem[] = [];
  let serverIp = '';
  for (let i = 0; i < options.count; i++) {
    if (i % 4 !== 1) serverIp = newServerIp();
    const plan = await api.expect<{ id: number }>('POST', '/api/v1/plans', {
      body: {
        code: `${options.prefix}-${i + 1}`,
        name: `Chaos ${options.prefix} ${i + 1}`,
        periods: [12],
        services: [
          {
            key: 'hosting',
            kind: 'hosting',
            provisioner: 'instant',
            settings: { installUrl: options.installUrl, installToken: options.installToken, ips: [serverIp] },
          },
        ],
        licenseProducts: [
          { configurationId: options.configurationId, product: 'PLESK-12-WEB-HOST', serviceKey: 'hosting' },
        ],
      },
    });
    items.push({ planId: plan.id, serverIp });
  }
  return items;
}
