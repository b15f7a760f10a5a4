import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Catalog } from '../src/bootstrap/catalog-import.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/infra/log/logger.js';
import { loadPlugins } from '../src/plugin-host/plugin-loader.js';
import { PluginRegistry } from '../src/plugin-host/plugin-registry.js';
import { LicenseAuthority, startInstallTargetServer } from '../src/reference-ka/index.js';

/**
 * `npm run reference-kas -- [--catalog-out <file>]`: the demo's vendor side as a process of its
 * own, for an installation on MariaDB and Redis: every reference KA a plugin declares, on one
 * authority, and an install target, on loopback ports. Writes the demo catalogue
 * (fixtures/demo-catalog.json) pointed at them, for `npm run catalog:import`. Keys live in
 * memory: stopping it forgets them; the ports change each start (import a new file under new
 * names, or edit the configurations).
 */
const { values } = parseArgs({ options: { 'catalog-out': { type: 'string', default: 'data/demo-catalog.json' } } });
const out = values['catalog-out'];
const installToken = 'demo-install-token';
const demo = JSON.parse(readFileSync(new URL('../fixtures/demo-catalog.json', import.meta.url), 'utf8')) as {
  customer: { name: string; email: string; externalRef: string };
  plan: { services: Array<Record<string, unknown> & { key: string; installTarget?: boolean }> } & Record<
    string,
    unknown
  >;
  /** As the demo sells them (see src/bootstrap/demo.ts): SaaS products, and packs of counted products. */
  saasProducts?: Array<{ ka: string; product: string; quantity: number }>;
  licenseProductTerms?: Record<string, Record<string, unknown>>;
};

const config = loadConfig({ ...process.env, KEYWAY_DB_URL: 'sqlite::memory:' });
const plugins = new PluginRegistry(await loadPlugins(config.pluginsDir), createLogger('warn'));
const authority = new LicenseAuthority({ demo: true });
const target = await startInstallTargetServer({ port: 0, token: installToken });
const closers = [() => target.close()];
const serviceKey = demo.plan.services.find((s) => s.installTarget)?.key;
const catalog: Catalog = { configurations: [], customers: [demo.customer], plans: [] };
const licenseProducts = [];
for (const { plugin, referenceKa } of plugins.referenceKas()) {
  const ka = await referenceKa.start(authority);
  closers.push(() => ka.close());
  const name = `Demo KA (${referenceKa.label})`;
  catalog.configurations?.push({ name, plugin, settings: ka.settings });
  // The same plan as the embedded demo's: each plugin's demo product (in packs where the demo
  // sells packs) and the SaaS products of that KA.
  const terms = demo.licenseProductTerms?.[referenceKa.demoOrder.product] ?? {};
  licenseProducts.push({ ...referenceKa.demoOrder, ...terms, configuration: name, serviceKey });
  for (const saas of demo.saasProducts ?? [])
    if (saas.ka === referenceKa.label)
      licenseProducts.push({
        product: saas.product,
        quantity: saas.quantity,
        configuration: name,
        serviceKey,
        saas: true,
      });
  process.stdout.write(`reference KA ${referenceKa.label} at ${ka.url}\n`);
}
const services = demo.plan.services.map(({ installTarget, settings, ...s }) => ({
  ...s,
  settings: { ...(settings as object), ...(installTarget ? { installUrl: target.url, installToken } : {}) },
}));
catalog.plans?.push({ ...demo.plan, services, licenseProducts });
mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
writeFileSync(out, `${JSON.stringify(catalog, null, 2)}\n`);
process.stdout.write(
  `install target at ${target.url}\ncatalogue written to ${out}: npm run catalog:import -- ${out}\n`,
);

const stop = async () => {
  await Promise.all(closers.map((close) => close()));
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
