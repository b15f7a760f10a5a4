import type { FarmRecord, KeyRecord, UsageDayRecord } from './authority-types.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Overuse is allowed this long (001); the grace is available again once the quota is raised. */
export const OVERUSE_GRACE_DAYS = 7;
/** A SaaS key whose installation has not reported for this long expires (000). */
export const SAAS_EXPIRY_DAYS = 7;

/** `YYYY-MM-DD` of a time, UTC. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Record the reports a farm made at `first`, `first + step`, ... up to `last` (all with its
 * usage now, which the admin knob changes only at the present) into the key's day peaks.
 * One entry per UTC day crossed, whatever the number of reports.
 */
export function recordReports(
  key: KeyRecord,
  farm: FarmRecord,
  span: { first: number; last: number; step: number },
  quota: number | undefined,
): void {
  key.usageDays ??= {};
  const days = key.usageDays;
  const { first, last, step } = span;
  for (let dayStart = first - (first % DAY_MS); dayStart <= last; dayStart += DAY_MS) {
    const dayEnd = Math.min(dayStart + DAY_MS - 1, last);
    const from = Math.max(first, dayStart);
    if (from > dayEnd) continue;
    // The day's last report: the latest `first + k * step` not after the day's end.
    const at = first + Math.floor((dayEnd - first) / step) * step;
    if (at < from) continue;
    const name = utcDay(dayStart);
    const before: UsageDayRecord | undefined = days[name];
    days[name] = {
      peak: Math.max(before?.peak ?? 0, farm.usage),
      serverId: farm.serverId,
      lastReportAt: new Date(at),
      quota,
    };
  }
}

/**
 * Overuse as the vendor judges it at each report (001): usage above the quota starts a 7-day
 * grace, unless the grace was already spent at this quota (it comes back once the quota is
 * raised); past the grace the farm is held deactivated while over and reactivated once at or
 * under the quota.
 */
export function judgeOveruse(key: KeyRecord, farm: FarmRecord, quota: number | undefined, first: number, last: number) {
  if (quota === undefined) return;
  key.overuse ??= {};
  const overuse = key.overuse;
  if (farm.usage > quota) {
    if (!overuse.since) {
      overuse.since = new Date(first);
      if (overuse.graceQuota === undefined || quota > overuse.graceQuota) {
        overuse.graceEndsAt = new Date(first + OVERUSE_GRACE_DAYS * DAY_MS);
        overuse.graceQuota = quota;
      }
    }
    farm.overuseDeactivated = !overuse.graceEndsAt || last >= overuse.graceEndsAt.getTime();
  } else {
    overuse.since = undefined;
    farm.overuseDeactivated = false;
  }
}

/** A SaaS key without a report for `SAAS_EXPIRY_DAYS` expires then (000); a terminated one stays as it is. */
export function expireSilentSaasKey(key: KeyRecord, now: Date): void {
  if (key.terminated || key.saasExpiredAt || !key.lastReportingDate) return;
  const end = key.lastReportingDate.getTime() + SAAS_EXPIRY_DAYS * DAY_MS;
  if (now.getTime() < end) return;
  key.saasExpiredAt = new Date(end);
  if (key.expiresAt.getTime() > end) key.expiresAt = new Date(end);
}
