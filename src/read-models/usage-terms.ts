import type { LicenseSummary } from '../features/licenses/license.js';
import type { UsageTerms } from '../features/usage/usage-recorder.js';
import type { DbOrTx } from '../infra/db/database.js';

/**
 * What a license's plan product says about its usage: SaaS (`plan_license_products.saas`) and,
 * where the plan sells packs, the pack size. Found through the license's subscription's plan and
 * the product of its configuration; a license without a subscription (an upload) is neither.
 */
export async function usageTermsOf(db: DbOrTx, license: LicenseSummary): Promise<UsageTerms> {
  if (license.subscriptionId === null) return { saas: false, packSize: null };
  const row = await db('subscriptions as s')
    .join('plan_license_products as p', 'p.plan_id', 's.plan_id')
    .where({
      's.id': license.subscriptionId,
      'p.configuration_id': license.configurationId,
      'p.product': license.product,
    })
    .first('p.*');
  if (!row) return { saas: false, packSize: null };
  // Packs come with the quantities issue (`pack_size`); absent on a database without it.
  const packSize = row.pack_size === undefined || row.pack_size === null ? null : Number(row.pack_size);
  return { saas: Boolean(row.saas), packSize: packSize && packSize > 1 ? packSize : null };
}
