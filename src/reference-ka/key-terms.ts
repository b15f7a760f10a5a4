import { AuthorityError } from './authority-error.js';
import type { KeyRecord, ProductDefinition } from './authority-types.js';

/** Subscription periods a key may be sold or renewed for, in months. */
export const SUBSCRIPTION_PERIODS = [1, 12, 24, 36] as const;

/** A lease is billed and renewed by the KA month by month. */
export const LEASE_MONTHS = 1;

const DAY_MS = 24 * 60 * 60 * 1000;

export function addMonths(date: Date, months: number): Date {
  // Calendar months in UTC, clamped to the month's end (Jan 31 + 1 month = Feb 28), as Keyway counts them.
  const next = new Date(date.getTime());
  const day = next.getUTCDate();
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  next.setUTCDate(Math.min(day, lastDay));
  return next;
}

/** A period is one of `SUBSCRIPTION_PERIODS`, and one the key type sells. */
export function checkPeriod(
  months: number,
  product?: ProductDefinition,
  refusal: 'bad_request' | 'renew_refused' = 'bad_request',
): void {
  if (!(SUBSCRIPTION_PERIODS as readonly number[]).includes(months)) {
    throw new AuthorityError('bad_request', `A period is 1, 12, 24 or 36 months, not ${months}`);
  }
  const sold = product?.periods;
  if (product && sold && !sold.includes(months)) {
    throw new AuthorityError(refusal, `${product.id} is sold for ${sold.join(', ')} months, not ${months}`);
  }
}

/** End of the key's grace period: primary keys only (002: sublicenses have none). */
export function graceEndOf(key: KeyRecord, product: ProductDefinition): Date {
  const days = key.kind === 'MAIN' ? (product.graceDays ?? 0) : 0;
  return new Date(key.expiresAt.getTime() + days * DAY_MS);
}

/**
 * Where a renewal starts: the current expiry while the key works (early, on time, or in its
 * grace period: 003, valid until 2021-04-01 renewed a year is valid until 2022-04-01); today
 * for a key already past its grace, whose lapsed days nobody paid for.
 */
export function renewalStart(key: KeyRecord, product: ProductDefinition, now: Date): Date {
  return graceEndOf(key, product).getTime() >= now.getTime() ? key.expiresAt : now;
}

/**
 * The KA's own renewal of a lease: each lease period that has passed by `now` extends the key
 * by one more period and issues a new file revision. Terminated keys are not renewed. Answers
 * how many periods were renewed.
 */
export function catchUpLease(key: KeyRecord, now: Date, bump: (key: KeyRecord) => void): number {
  if (key.termKind !== 'lease' || key.terminated) return 0;
  let periods = 0;
  while (key.expiresAt.getTime() <= now.getTime()) {
    key.expiresAt = addMonths(key.expiresAt, LEASE_MONTHS);
    bump(key);
    periods += 1;
  }
  return periods;
}
