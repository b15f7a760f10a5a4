import type { DbOrTx } from '../../infra/db/database.js';
import type { Plan } from './plan.js';

/**
 * Reads plans: what a payment needs of the plans feature. `PlanStore` implements it; the
 * composition root hands it to the orders feature.
 */
export interface PlanReader {
  get(db: DbOrTx, id: number): Promise<Plan | undefined>;
}
