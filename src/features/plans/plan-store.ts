import type { DbOrTx } from '../../infra/db/database.js';
import { fromJson, toIso, toJson } from '../../infra/db/rows.js';
import type { CreatePlanInput, Plan, PlanServiceInput } from './plan.js';
import type { PlanReader } from './plan-reader.js';

interface PlanRow {
  id: number;
  code: string;
  name: string;
  periods: string;
  created_at: number;
}

/** Freezes a plan and everything in it: cached plans are shared, so a change must fail loudly. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Plans cached at most; past this the cache starts over (plans are few; this bounds a leak). */
const maxCachedPlans = 1_000;

/**
 * Plans are immutable once created (there is no update or delete), so a plan read once is
 * kept by id: every payment reads its plan, and this saves it three queries. The cache is per
 * store, so per process and per database. Callers read a plan only after the transaction that
 * created it committed (a read inside it would cache a plan its rollback could undo).
 */
export class PlanStore implements PlanReader {
  private readonly byId = new Map<number, Plan>();

  async insert(db: DbOrTx, plan: CreatePlanInput): Promise<number> {
    const now = Date.now();
    const [id] = await db('plans').insert({
      code: plan.code,
      name: plan.name,
      periods: toJson(plan.periods),
      created_at: now,
      updated_at: now,
    });
    const planId = Number(id);
    if (plan.services.length) {
      await db('plan_services').insert(
        plan.services.map((s) => ({
          plan_id: planId,
          key: s.key,
          kind: s.kind,
          provisioner: s.provisioner,
          settings: toJson(s.settings),
          depends_on: toJson(s.dependsOn),
        })),
      );
    }
    await this.addLicenseProducts(db, planId, plan.licenseProducts);
    return planId;
  }

  /**
   * Adds products to a plan. Only the embedded demo does this to an existing plan, at start and
   * before anything reads plans (so no cached plan goes stale): a plugin added since the demo
   * plan was made gets its product.
   */
  async addLicenseProducts(db: DbOrTx, planId: number, products: CreatePlanInput['licenseProducts']): Promise<void> {
    if (!products.length) return;
    await db('plan_license_products').insert(
      products.map((p) => ({
        plan_id: planId,
        configuration_id: p.configurationId,
        product: p.product,
        features: toJson(p.features),
        quantity: p.quantity,
        service_key: p.serviceKey ?? null,
        saas: p.saas,
        unit: p.unit ?? null,
        pack_size: p.packSize,
        min_packs: p.minPacks,
        max_packs: p.maxPacks ?? null,
        allow_decrease: p.allowDecrease,
      })),
    );
  }

  /** Points a plan's service at new settings: only the demo, at start, for its install target's new port. */
  async updateServiceSettings(
    db: DbOrTx,
    planId: number,
    key: string,
    settings: Record<string, unknown>,
  ): Promise<void> {
    await db('plan_services')
      .where({ plan_id: planId, key })
      .update({ settings: toJson(settings) });
  }

  async getByCode(db: DbOrTx, code: string): Promise<Plan | undefined> {
    const row = await db<PlanRow>('plans').where({ code }).first();
    return row ? this.hydrate(db, row) : undefined;
  }

  async get(db: DbOrTx, id: number): Promise<Plan | undefined> {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const row = await db<PlanRow>('plans').where({ id }).first();
    if (!row) return undefined;
    const plan = deepFreeze(await this.hydrate(db, row));
    if (this.byId.size >= maxCachedPlans) this.byId.clear();
    this.byId.set(id, plan);
    return plan;
  }

  async list(db: DbOrTx, options: { afterId?: number; limit: number }): Promise<Plan[]> {
    const q = db<PlanRow>('plans').orderBy('id', 'asc').limit(options.limit);
    if (options.afterId !== undefined) q.where('id', '>', options.afterId);
    const rows = await q;
    return Promise.all(rows.map((row) => this.hydrate(db, row)));
  }

  private async hydrate(db: DbOrTx, row: PlanRow): Promise<Plan> {
    const [services, products] = await Promise.all([
      db('plan_services').where({ plan_id: row.id }).orderBy('id'),
      db('plan_license_products').where({ plan_id: row.id }).orderBy('id'),
    ]);
    return {
      id: row.id,
      code: row.code,
      name: row.name,
      periods: fromJson(row.periods, []),
      services: services.map(
        (s): PlanServiceInput => ({
          key: s.key,
          kind: s.kind,
          provisioner: s.provisioner,
          settings: fromJson(s.settings, {}),
          dependsOn: fromJson(s.depends_on, []),
        }),
      ),
      licenseProducts: products.map((p) => ({
        id: Number(p.id),
        configurationId: Number(p.configuration_id),
        product: p.product,
        features: fromJson(p.features, []),
        quantity: Number(p.quantity),
        serviceKey: p.service_key ?? undefined,
        saas: Boolean(p.saas),
        unit: p.unit ?? undefined,
        packSize: Number(p.pack_size ?? 1),
        minPacks: Number(p.min_packs ?? 1),
        maxPacks: p.max_packs === null || p.max_packs === undefined ? undefined : Number(p.max_packs),
        allowDecrease: Boolean(p.allow_decrease),
      })),
      createdAt: toIso(row.created_at) ?? '',
    };
  }
}
