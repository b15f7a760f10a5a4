import { ValidationError } from '../../errors/app-error.js';
import type { Plan } from '../plans/plan.js';

/** Packs an order asks of one of its plan's counted license products. */
export interface LicenseQuantity {
  licenseProductId: number;
  /** In packs (the key's quota is packs × the product's pack size). */
  quantity: number;
}

type PlanProduct = Plan['licenseProducts'][number];

/** The packs a counted product may be sold in, as words for a refusal. */
export function packRange(product: PlanProduct): string {
  const max = product.maxPacks === undefined ? 'more' : String(product.maxPacks);
  const pack = product.packSize === 1 ? product.unit : `packs of ${product.packSize} ${product.unit}`;
  return `${product.minPacks} to ${max} ${pack}`;
}

/** Whether `packs` is a quantity the product sells. */
export function packsFit(product: PlanProduct, packs: number): boolean {
  return packs >= product.minPacks && (product.maxPacks === undefined || packs <= product.maxPacks);
}

/**
 * The packs an order asks, checked against its plan: `quantity` names the plan's one counted
 * product, `licenseQuantities` any of them by id. A product not counted, unknown, named twice or
 * asked out of its range is refused at its field; nothing is ever dropped. Answers one entry per
 * product asked (the others get their plan quantity).
 */
export function resolveLicenseQuantities(
  plan: Plan,
  asked: { quantity?: number; licenseQuantities?: LicenseQuantity[] },
): LicenseQuantity[] {
  const counted = plan.licenseProducts.filter((p) => p.unit);
  const fields: Array<{ field: string; message: string }> = [];
  if (asked.quantity !== undefined && asked.licenseQuantities !== undefined)
    throw ValidationError.forFields([{ field: 'quantity', message: 'give quantity or licenseQuantities, not both' }]);
  if (asked.quantity !== undefined) {
    const [only] = counted;
    if (counted.length !== 1 || !only)
      throw ValidationError.forFields([
        {
          field: 'quantity',
          message: counted.length
            ? `plan ${plan.code} has ${counted.length} counted license products: name each in licenseQuantities`
            : `plan ${plan.code} sells no counted license product`,
        },
      ]);
    if (!packsFit(only, asked.quantity))
      throw ValidationError.forFields([
        { field: 'quantity', message: `${only.product} is sold in ${packRange(only)}` },
      ]);
    return [{ licenseProductId: only.id, quantity: asked.quantity }];
  }
  const seen = new Set<number>();
  (asked.licenseQuantities ?? []).forEach((q, i) => {
    const product = plan.licenseProducts.find((p) => p.id === q.licenseProductId);
    if (!product)
      fields.push({
        field: `licenseQuantities.${i}.licenseProductId`,
        message: `plan ${plan.code} has no license product ${q.licenseProductId}`,
      });
    else if (!product.unit)
      fields.push({
        field: `licenseQuantities.${i}.licenseProductId`,
        message: `${product.product} is not counted: its quantity is fixed by the plan`,
      });
    else if (seen.has(q.licenseProductId))
      fields.push({ field: `licenseQuantities.${i}.licenseProductId`, message: 'named twice' });
    else if (!packsFit(product, q.quantity))
      fields.push({
        field: `licenseQuantities.${i}.quantity`,
        message: `${product.product} is sold in ${packRange(product)}`,
      });
    seen.add(q.licenseProductId);
  });
  if (fields.length) throw ValidationError.forFields(fields);
  return asked.licenseQuantities ?? [];
}

/** The units a product's key gets for an order: the packs asked × the pack size, else the plan's quantity. */
export function unitsFor(product: PlanProduct, asked: LicenseQuantity[]): number {
  const packs = asked.find((q) => q.licenseProductId === product.id)?.quantity;
  return packs === undefined ? product.quantity : packs * product.packSize;
}

/** Whether two orders asked the same packs (an order placed again with its reference). */
export function sameQuantities(a: LicenseQuantity[], b: LicenseQuantity[]): boolean {
  const key = (q: LicenseQuantity[]) =>
    q
      .map((x) => `${x.licenseProductId}:${x.quantity}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}
