/**
 * Adds calendar months in UTC
 * (a 1-month subscription from Jan 31 ends on the last day of Feb); a renewal adds its period
 * to the current expiry the same way (2021-04-01 + 12 months = 2022-04-01).
 */
export function addMonths(from: number, months: number): number {
  const d = new Date(from);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d.getTime();
}
