import { ConflictError, ValidationError } from '../../errors/app-error.js';
import type { LicenseSummary } from '../licenses/license.js';
import { packRange, packsFit } from '../orders/order-quantities.js';
import type { Plan } from '../plans/plan.js';

type PlanProduct = Plan['licenseProducts'][number];

/** What a change of a license's quantity does, once allowed. */
export interface AllowedChange {
  kind: 'upgrade' | 'downgrade';
  /** The key's new quota, in units (packs × pack size). */
  units: number;
  /** Its quota now, in units. */
  from: number;
}

/** The plan product a license was sold as (same KA configuration and product). */
export function productOfLicense(plan: Plan, license: LicenseSummary): PlanProduct | undefined {
  return plan.licenseProducts.find(
    (p) => p.configurationId === license.configurationId && p.product === license.product,
  );
}

/** Units the primary's additional keys reserve: what the KA said, or their own quotas if more. */
export function reservedBy(license: LicenseSummary, additional: LicenseSummary[]): number {
  const ours = additional.filter((a) => a.status !== 'terminated').reduce((sum, a) => sum + (a.quota ?? 0), 0);
  return Math.max(license.quotaReserved ?? 0, ours);
}

/**
 * Whether `license` may go to `packs` packs of `product`: a primary key of a counted product,
 * within the packs sold, a real change, and a decrease only where the plan allows it (once)
 * and never below what additional keys reserve. Refusals name the field or the amount.
 */
export function allowedChange(
  license: LicenseSummary,
  product: PlanProduct | undefined,
  packs: number,
  reserved: number,
): AllowedChange {
  if (license.keyType === 'additional' || license.parentLicenseId !== null)
    throw ValidationError.forFields([
      { field: 'licenseId', message: `license ${license.id} is an additional key: change its quota instead` },
    ]);
  if (!product?.unit)
    throw ValidationError.forFields([
      { field: 'licenseId', message: `license ${license.id} is not counted: its quantity is fixed by the plan` },
    ]);
  if (!packsFit(product, packs))
    throw ValidationError.forFields([
      { field: 'quantity', message: `${product.product} is sold in ${packRange(product)}` },
    ]);
  if (license.status === 'terminated')
    throw new ConflictError(`License ${license.keyNumber} is terminated`, 'invalid_state', {
      details: { status: license.status },
    });
  const units = packs * product.packSize;
  const from = license.quota ?? product.quantity;
  if (units === from)
    throw new ConflictError(`License ${license.keyNumber} already has ${units} ${product.unit}`, 'no_change', {
      details: { field: 'quantity', quota: from },
    });
  if (units > from) return { kind: 'upgrade', units, from };
  if (!product.allowDecrease)
    throw new ConflictError(`Plan sells ${product.product} without decreases`, 'decrease_not_allowed', {
      details: { field: 'quantity' },
    });
  if (license.decreasesUsed >= 1)
    throw new ConflictError(
      `The quota of license ${license.keyNumber} went down once already: a decrease is allowed once`,
      'decrease_not_allowed',
      { details: { field: 'quantity', decreasesUsed: license.decreasesUsed } },
    );
  if (units < reserved)
    throw new ConflictError(
      `Additional keys reserve ${reserved} ${product.unit} of license ${license.keyNumber}: its quota cannot go below ${reserved}`,
      'quota_reserved',
      { details: { field: 'quantity', reserved, unit: product.unit } },
    );
  return { kind: 'downgrade', units, from };
}
