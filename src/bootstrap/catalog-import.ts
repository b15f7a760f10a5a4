import { z } from 'zod';
import type { AuditStore } from '../features/audit/audit-store.js';
import type { CustomerStore } from '../features/customers/customer-store.js';
import type { PlanStore } from '../features/plans/plan-store.js';
import type { Db } from '../infra/db/database.js';
import { transaction } from '../infra/db/transaction.js';
import { systemActor } from '../kernel/actor.js';
import type { KaConfigurationService } from '../features/ka-configurations/ka-configuration-service.js';
import { createPlanSchema, planLicenseProductSchema } from '../features/plans/plan.js';

const name = z.string().trim().min(1).max(120);

/**
 * A catalogue file (`npm run catalog:import -- <file>`): KA configurations, customers and plans,
 * a plan naming the configuration of each license product by its name. Unknown fields are
 * refused, so a misspelt one is not silently dropped.
 */
export const catalogSchema = z
  .object({
    configurations: z
      .array(
        z
          .object({
            name,
            plugin: z.string().min(1).max(100),
            settings: z.record(z.string(), z.unknown()).default({}),
            enabled: z.boolean().default(true),
            allowedProducts: z.array(z.string().min(1).max(120)).nullable().default(null),
          })
          .strict(),
      )
      .default([]),
    customers: z
      .array(z.object({ name: z.string().trim().min(1).max(200), email: z.email(), externalRef: name }).strict())
      .default([]),
    plans: z
      .array(
        z
          .object({
            licenseProducts: z
              .array(planLicenseProductSchema.omit({ configurationId: true }).extend({ configuration: name }).strict())
              .default([]),
          })
          .passthrough(),
      )
      .default([]),
  })
  .strict();

/** A plan's fields, as `POST /plans` takes them; the schema's own shape lets others through. */
const planFields = new Set(['code', 'name', 'periods', 'services', 'licenseProducts']);

export type Catalog = z.input<typeof catalogSchema>;

/** What an import did, by kind: the names (codes, refs) it created and those it found and left alone. */
export interface ImportReport {
  configurations: { created: string[]; unchanged: string[] };
  customers: { created: string[]; unchanged: string[] };
  plans: { created: string[]; unchanged: string[] };
}

/**
 * Loads a catalogue; idempotent by configuration name, customer external ref and plan code:
 * what exists is left as it is (importing the same file twice changes nothing). A plan's
 * configurations must exist after the file's own are created. Throws on the first problem,
 * naming it; what was created before it stays (each item is its own transaction).
 */
export async function importCatalog(
  context: { db: Db; stores: { audit: AuditStore; customers: CustomerStore; plans: PlanStore } },
  configurations: KaConfigurationService,
  input: unknown,
): Promise<ImportReport> {
  const catalog = catalogSchema.parse(input);
  const { db, stores } = context;
  const report: ImportReport = {
    configurations: { created: [], unchanged: [] },
    customers: { created: [], unchanged: [] },
    plans: { created: [], unchanged: [] },
  };
  for (const c of catalog.configurations) {
    const existing = await db('ka_configurations').where({ name: c.name }).first();
    if (existing) {
      report.configurations.unchanged.push(c.name);
      continue;
    }
    await configurations.create(c, systemActor);
    report.configurations.created.push(c.name);
  }
  for (const c of catalog.customers) {
    if (await stores.customers.getByExternalRef(db, null, c.externalRef)) {
      report.customers.unchanged.push(c.externalRef);
      continue;
    }
    await transaction(db, async (tx) => {
      const id = await stores.customers.insert(tx, c);
      await stores.audit.record(tx, {
        actor: systemActor,
        action: 'customer.created',
        entityType: 'customer',
        entityId: id,
        data: { externalRef: c.externalRef, via: 'catalog:import' },
      });
    });
    report.customers.created.push(c.externalRef);
  }
  for (const raw of catalog.plans) {
    const unknown = Object.keys(raw).filter((key) => !planFields.has(key));
    if (unknown.length) throw new Error(`plan ${String(raw.code)}: unknown field(s) ${unknown.join(', ')}`);
    const licenseProducts = [];
    for (const { configuration, ...product } of raw.licenseProducts) {
      const row = await db('ka_configurations').where({ name: configuration }).first('id');
      if (!row) throw new Error(`plan ${String(raw.code)}: no KA configuration named "${configuration}"`);
      licenseProducts.push({ ...product, configurationId: Number(row.id) });
    }
    const plan = createPlanSchema.parse({ ...raw, licenseProducts });
    if (await stores.plans.getByCode(db, plan.code)) {
      report.plans.unchanged.push(plan.code);
      continue;
    }
    await transaction(db, async (tx) => {
      const id = await stores.plans.insert(tx, plan);
      await stores.audit.record(tx, {
        actor: systemActor,
        action: 'plan.created',
        entityType: 'plan',
        entityId: id,
        data: { code: plan.code, via: 'catalog:import' },
      });
    });
    report.plans.created.push(plan.code);
  }
  return report;
}
