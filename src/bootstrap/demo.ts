import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReferenceXmlRpcKa } from '../../plugins/parallels-ka/src/reference-server.js';
import { startReferenceSoapKa } from '../../plugins/soap-ka/src/reference-server.js';
import type { AppContext } from '../app-context.js';
import { systemActor } from '../features/audit/audit-event.js';
import type { KaConfigurationService } from '../features/ka-configurations/ka-configuration-service.js';
import { createPlanSchema } from '../features/plans/plan.js';
import { toJson } from '../infra/db/rows.js';
import { startInstallTargetServer } from '../reference-ka/index.js';

const catalogPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/demo-catalog.json');

interface DemoCatalog {
  customer: { name: string; email: string; externalRef: string };
  configurations: Array<{ name: string; plugin: string; reference: 'xmlrpc' | 'soap'; settings: Record<string, unknown> }>;
  plan: {
    code: string;
    name: string;
    periods: number[];
    services: Array<{ key: string; kind: string; provisioner: string; installTarget?: boolean; settings?: Record<string, unknown>; dependsOn?: string[] }>;
    licenseProducts: Array<{ configuration: string; product: string; features: string[]; serviceKey?: string }>;
  };
}

export interface RunningDemo {
  kaUrls: Record<string, string>;
  installTargetUrl: string;
  planId: number;
  customerId: number;
  close(): Promise<void>;
}

const installToken = 'demo-install-token';

/**
 * The embedded demo: the reference KA and an install target in this process on loopback
 * ports, a KA configuration pointing at them and a plan from fixtures/demo-catalog.json, so a
 * newcomer can place and pay an order and watch the license get installed. The servers get
 * new ports each start, so the configuration and plan are pointed at them again.
 */
export async function startDemo(context: AppContext, configurations: KaConfigurationService): Promise<RunningDemo> {
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as DemoCatalog;
  // One vendor authority behind both protocol fronts, as one vendor selling two products.
  const xmlrpc = await startReferenceXmlRpcKa({ port: 0 });
  const soap = await startReferenceSoapKa({ port: 0, authority: xmlrpc.authority });
  const target = await startInstallTargetServer({ port: 0, token: installToken });
  const kaUrls: Record<string, string> = { xmlrpc: xmlrpc.url, soap: soap.url };
  const { db, stores } = context;

  const configIds = new Map<string, number>();
  for (const c of catalog.configurations) {
    const settings = { ...c.settings, endpoint: kaUrls[c.reference] };
    const existing = await db('ka_configurations').where({ name: c.name }).first();
    const saved = existing
      ? await configurations.update(Number(existing.id), { settings }, systemActor)
      : await configurations.create({ name: c.name, plugin: c.plugin, settings, enabled: true, allowedProducts: null }, systemActor);
    configIds.set(c.name, saved.id);
  }

  const services = catalog.plan.services.map(({ installTarget, ...s }) => ({
    ...s,
    settings: { ...s.settings, ...(installTarget ? { installUrl: target.url, installToken } : {}) },
  }));
  const plan = createPlanSchema.parse({
    ...catalog.plan,
    services,
    licenseProducts: catalog.plan.licenseProducts.map(({ configuration, ...p }) => ({ ...p, configurationId: configIds.get(configuration) })),
  });
  let planRow = await stores.plans.getByCode(db, plan.code);
  if (!planRow) {
    await db.transaction(async (tx) => {
      const id = await stores.plans.insert(tx, plan);
      await stores.audit.record(tx, { actor: systemActor, action: 'plan.created', entityType: 'plan', entityId: id, data: { code: plan.code, demo: true } });
    });
  } else {
    for (const s of plan.services) await db('plan_services').where({ plan_id: planRow.id, key: s.key }).update({ settings: toJson(s.settings) });
  }
  planRow = await stores.plans.getByCode(db, plan.code);

  const customer = (await stores.customers.getByExternalRef(db, null, catalog.customer.externalRef)) ?? (await stores.customers.get(db, await stores.customers.insert(db, catalog.customer)));

  return {
    kaUrls,
    installTargetUrl: target.url,
    planId: planRow?.id ?? 0,
    customerId: customer?.id ?? 0,
    async close() {
      await Promise.all([xmlrpc.close(), soap.close(), target.close()]);
    },
  };
}

/** What to type next, printed once the API listens. */
export function demoHelp(apiUrl: string, demo: RunningDemo): string {
  return [
    '',
    `Demo ready: reference KA at ${demo.kaUrls.xmlrpc} (XML-RPC) and ${demo.kaUrls.soap} (SOAP), install target at ${demo.installTargetUrl}`,
    'Place and pay an order for the demo plan (TOKEN is the admin token):',
    `  curl -s -X POST ${apiUrl}/api/v1/orders -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `    -d '{"customerId": ${demo.customerId}, "planId": ${demo.planId}, "period": 12, "reference": "demo-1"}'`,
    `  curl -s -X POST ${apiUrl}/api/v1/orders/<id>/pay -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"paymentReference": "pay-1"}'`,
    `  curl -s ${apiUrl}/api/v1/subscriptions/<subscriptionId> -H "Authorization: Bearer $TOKEN"`,
    '',
  ].join('\n');
}
