import type { DbOrTx } from '../../infra/db/database.js';
import type { CreatePlanInput, Plan } from './plan.js';
import type { PlanReader } from './plan-reader.js';

/** Plans in memory, for unit tests: `add` a plan as `PlanStore.insert` would store it. */
export class FakePlanStore implements PlanReader {
  private readonly plans = new Map<number, Plan>();
  private nextProductId = 1;

  add(
    plan: Omit<Partial<CreatePlanInput>, 'licenseProducts'> &
      Pick<CreatePlanInput, 'code'> & {
        licenseProducts?: Array<Partial<CreatePlanInput['licenseProducts'][number]> & { product: string }>;
      },
  ): Plan {
    const id = this.plans.size + 1;
    const stored: Plan = {
      id,
      code: plan.code,
      name: plan.name ?? plan.code,
      periods: plan.periods ?? [12],
      services: plan.services ?? [],
      licenseProducts: (plan.licenseProducts ?? []).map((p) => ({
        configurationId: 1,
        features: [],
        quantity: 1,
        packSize: 1,
        minPacks: 1,
        allowDecrease: false,
        ...p,
        saas: p.saas ?? false,
        id: this.nextProductId++,
      })),
      createdAt: new Date(0).toISOString(),
    };
    this.plans.set(id, stored);
    return stored;
  }

  async get(_db: DbOrTx, id: number): Promise<Plan | undefined> {
    return this.plans.get(id);
  }
}
