import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditStore } from '../features/audit/audit-store.js';
import type { CustomerStore } from '../features/customers/customer-store.js';
import type { KaConfigurationStore } from '../features/ka-configurations/ka-configuration-store.js';
import type { PlanStore } from '../features/plans/plan-store.js';
import type { Db } from '../infra/db/database.js';

/** What the demo writes through: the stores of the catalogue it seeds. */
export interface DemoDeps {
  db: Db;
  stores: { plans: PlanStore; customers: CustomerStore; audit: AuditStore; kaConfigurations: KaConfigurationStore };
}
import { systemActor } from '../kernel/actor.js';
import type { KaConfigurationService } from '../features/ka-configurations/ka-configuration-service.js';
import { type CreatePlanInput, createPlanSchema } from '../features/plans/plan.js';
import type { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { LicenseAuthority, startInstallTargetServer } from '../reference-ka/index.js';
import { transaction } from '../infra/db/transaction.js';

const catalogPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/demo-catalog.json');

interface DemoCatalog {
  customer: { name: string; email: string; externalRef: string };
  plan: {
    code: string;
    name: string;
    periods: number[];
    services: Array<{
      key: string;
      kind: string;
      provisioner: string;
      installTarget?: boolean;
      settings?: Record<string, unknown>;
      dependsOn?: string[];
    }>;
  };
  /** SaaS products (billed by usage) sold by the demo KA of that label, beside each plugin's `demoOrder`. */
  saasProducts?: Array<{ ka: string; product: string; quantity: number }>;
  /** How the demo plan sells a plugin's demo product, by product: its unit and packs (checked by createPlanSchema). */
  licenseProductTerms?: Record<string, Record<string, unknown>>;
}

export interface RunningDemo {
  /** Each reference KA's URL by its label (`XML-RPC`, `SOAP`, `REST` ...). */
  kaUrls: Record<string, string>;
  installTargetUrl: string;
  planId: number;
  customerId: number;
  close(): Promise<void>;
}

const installToken = 'demo-install-token';

/**
 * The embedded demo: every reference KA a loaded plugin declares (`referenceKa`), on one
 * vendor authority, and an install target, all in this process on loopback ports; a KA
 * configuration "Demo KA (<label>)" for each, and the plan of fixtures/demo-catalog.json
 * selling each plugin's `demoOrder`, so a newcomer can place and pay an order and watch one
 * license per plugin get installed. The servers get new ports each start, so the
 * configurations and the plan are pointed at them again; a plugin added since the plan was
 * made gets its product added. The reference KAs keep their keys in memory: a restart forgets
 * them (the licenses Keyway installed stay in its database).
 */
export async function startDemo(
  context: DemoDeps,
  configurations: KaConfigurationService,
  plugins: PluginRegistry,
): Promise<RunningDemo> {
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as DemoCatalog;
  const authority = new LicenseAuthority({ demo: true });
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    await Promise.all(closers.map((c) => c()));
  };
  try {
    const target = await startInstallTargetServer({ port: 0, token: installToken });
    closers.push(() => target.close());
    const serviceKey = catalog.plan.services.find((s) => s.installTarget)?.key;
    const kaUrls: Record<string, string> = {};
    // Checked with the plan by createPlanSchema.
    const licenseProducts: Array<Record<string, unknown>> = [];
    for (const { plugin, referenceKa } of plugins.referenceKas()) {
      const ka = await referenceKa.start(authority);
      closers.push(() => ka.close());
      kaUrls[referenceKa.label] = ka.url;
      const configurationId = await saveConfiguration(
        context,
        configurations,
        `Demo KA (${referenceKa.label})`,
        plugin,
        ka.settings,
      );
      const terms = catalog.licenseProductTerms?.[referenceKa.demoOrder.product] ?? {};
      licenseProducts.push({ ...referenceKa.demoOrder, ...terms, configurationId, serviceKey });
      for (const saas of catalog.saasProducts ?? []) {
        if (saas.ka === referenceKa.label)
          licenseProducts.push({
            product: saas.product,
            quantity: saas.quantity,
            configurationId,
            serviceKey,
            saas: true,
          });
      }
    }
    const services = catalog.plan.services.map(({ installTarget, ...s }) => ({
      ...s,
      settings: { ...s.settings, ...(installTarget ? { installUrl: target.url, installToken } : {}) },
    }));
    const plan = createPlanSchema.parse({ ...catalog.plan, services, licenseProducts });
    const planId = await savePlan(context, plan);
    const { db, stores } = context;
    const customer =
      (await stores.customers.getByExternalRef(db, null, catalog.customer.externalRef)) ??
      (await stores.customers.get(db, await stores.customers.insert(db, catalog.customer)));
    return { kaUrls, installTargetUrl: target.url, planId, customerId: customer?.id ?? 0, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function saveConfiguration(
  context: DemoDeps,
  configurations: KaConfigurationService,
  name: string,
  plugin: string,
  settings: Record<string, unknown>,
): Promise<number> {
  const existing = await context.stores.kaConfigurations.getByName(context.db, name);
  const saved = existing
    ? await configurations.update(Number(existing.id), { settings }, systemActor)
    : await configurations.create({ name, plugin, settings, enabled: true, allowedProducts: null }, systemActor);
  return saved.id;
}

/**
 * The demo plan: created at the first start; afterwards its services are pointed at this
 * start's install target and a product of a plugin added since is added. Runs before anything
 * reads plans, so no cached plan goes stale.
 */
async function savePlan(context: DemoDeps, plan: CreatePlanInput): Promise<number> {
  const { db, stores } = context;
  const existing = await stores.plans.getByCode(db, plan.code);
  if (!existing) {
    return transaction(db, async (tx) => {
      const id = await stores.plans.insert(tx, plan);
      await stores.audit.record(tx, {
        actor: systemActor,
        action: 'plan.created',
        entityType: 'plan',
        entityId: id,
        data: { code: plan.code, demo: true },
      });
      return id;
    });
  }
  for (const s of plan.services) await stores.plans.updateServiceSettings(db, existing.id, s.key, s.settings);
  const sold = new Set(existing.licenseProducts.map((p) => `${p.configurationId}:${p.product}`));
  const added = plan.licenseProducts.filter((p) => !sold.has(`${p.configurationId}:${p.product}`));
  if (added.length) {
    await transaction(db, async (tx) => {
      await stores.plans.addLicenseProducts(tx, existing.id, added);
      await stores.audit.record(tx, {
        actor: systemActor,
        action: 'plan.products_added',
        entityType: 'plan',
        entityId: existing.id,
        data: { products: added.map((p) => p.product), demo: true },
      });
    });
  }
  return existing.id;
}

/** What to type next, printed once the API listens: pastes into bash as it is (TOKEN set from the line above). */
export function demoHelp(apiUrl: string, demo: RunningDemo): string {
  const kas = Object.entries(demo.kaUrls).map(([label, url]) => `${url} (${label})`);
  const json = "'content-type: application/json'";
  const field = (expr: string) => `node -pe 'JSON.parse(require("fs").readFileSync(0)).${expr}'`;
  return [
    '',
    `Demo ready: reference KAs at ${kas.join(', ')}, install target at ${demo.installTargetUrl}`,
    `Staff console: ${apiUrl}/ (sign in with the admin printed above)`,
    'Place and pay an order for the demo plan (with TOKEN set to the admin API token):',
    `  ORDER=$(curl -s -X POST ${apiUrl}/api/v1/orders -H "Authorization: Bearer $TOKEN" -H ${json} \\`,
    `    -d '{"customerId": ${demo.customerId}, "planId": ${demo.planId}, "period": 12, "reference": "demo-'$RANDOM'"}' | ${field('id')})`,
    `  SUB=$(curl -s -X POST ${apiUrl}/api/v1/orders/$ORDER/pay -H "Authorization: Bearer $TOKEN" -H ${json} \\`,
    `    -d '{"paymentReference": "pay-'$ORDER'"}' | ${field('subscription.id')})`,
    `  curl -s ${apiUrl}/api/v1/subscriptions/$SUB -H "Authorization: Bearer $TOKEN"`,
    '',
  ].join('\n');
}
