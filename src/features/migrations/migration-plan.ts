import type { LicenseSummary } from '../licenses/license.js';

/** The billing periods KAs sell keys for (months). */
const sellablePeriods = [1, 12, 24, 36];
const MONTH_MS = 30.44 * 86_400_000;

/**
 * The period to ask the new KA for: the smallest sellable one covering what remains of the old
 * license's term (KAs sell by period, not to a date). Keyway keeps the real end of the term on
 * the new license (its subscription's expiry, or the old license's), whatever the key's own.
 */
export function remainingPeriodOf(expiresAt: string | null, now: number, fallback: number | null): number | null {
  if (!expiresAt) return fallback;
  const months = Math.max(1, Math.ceil((Date.parse(expiresAt) - now) / MONTH_MS));
  return sellablePeriods.find((p) => p >= months) ?? sellablePeriods[sellablePeriods.length - 1] ?? null;
}

/** Why a license cannot be migrated to this target as it is now; undefined when it can. */
export function whyNotMigrated(
  license: Pick<LicenseSummary, 'status' | 'configurationId' | 'product' | 'successorLicenseId' | 'subscriptionId'>,
  target: { targetConfigurationId: number; productMap: Record<string, string>; atRenewal?: boolean },
): { code: string; message: string } | undefined {
  if (license.successorLicenseId !== null)
    return { code: 'already_migrated', message: `already replaced by license ${license.successorLicenseId}` };
  if (license.status !== 'installed')
    return {
      code: 'invalid_state',
      message: `the license is ${license.status}; only an installed license is migrated`,
    };
  if (license.configurationId === target.targetConfigurationId)
    return { code: 'same_configuration', message: 'the license is already at the target configuration' };
  if (!Object.hasOwn(target.productMap, license.product))
    return { code: 'unmapped_product', message: `no mapping for product ${license.product}` };
  if (target.atRenewal && license.subscriptionId === null)
    return { code: 'no_subscription', message: 'a migration at renewal needs a subscription to renew' };
  return undefined;
}

/** One license in a dry run. */
export interface PlannedLicense {
  licenseId: number;
  keyNumber: string;
  product: string;
  /** The product at the target, or null when the map has none. */
  targetProduct: string | null;
  quantity: number;
  periodMonths: number | null;
  expiresAt: string | null;
  /** `migrate`, or `skip` with why (`code`, `message`). */
  action: 'migrate' | 'skip';
  code?: string;
  message?: string;
}

/** What a dry run answers: nothing is changed. */
export interface MigrationPlan {
  targetConfigurationId: number;
  atRenewal: boolean;
  count: number;
  toMigrate: number;
  /** Per mapped product: how many licenses and units move. */
  mapped: Array<{ product: string; targetProduct: string; licenses: number; quantity: number }>;
  /** Products of the selection with no mapping, with their licenses. */
  unmapped: Array<{ product: string; licenses: number; licenseIds: number[] }>;
  /** Per reason, licenses that would be skipped. */
  skipped: Record<string, number>;
  /** The first licenses, each with what would happen. */
  licenses: PlannedLicense[];
}

/** Licenses listed one by one in a plan; the counts cover all. */
export const plannedLicenseListed = 500;

/** Adds a license to a plan being built. */
export function addToPlan(plan: MigrationPlan, item: PlannedLicense): void {
  plan.count += 1;
  if (plan.licenses.length < plannedLicenseListed) plan.licenses.push(item);
  if (item.action === 'migrate' && item.targetProduct) {
    plan.toMigrate += 1;
    const row = plan.mapped.find((m) => m.product === item.product && m.targetProduct === item.targetProduct);
    if (row) {
      row.licenses += 1;
      row.quantity += item.quantity;
    } else
      plan.mapped.push({
        product: item.product,
        targetProduct: item.targetProduct,
        licenses: 1,
        quantity: item.quantity,
      });
    return;
  }
  const code = item.code ?? 'skipped';
  plan.skipped[code] = (plan.skipped[code] ?? 0) + 1;
  if (code === 'unmapped_product') {
    const row = plan.unmapped.find((u) => u.product === item.product);
    if (row) {
      row.licenses += 1;
      if (row.licenseIds.length < plannedLicenseListed) row.licenseIds.push(item.licenseId);
    } else plan.unmapped.push({ product: item.product, licenses: 1, licenseIds: [item.licenseId] });
  }
}
