import type { EventType } from '../events/event-catalogue.js';

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Overuse is allowed this long (001). */
export const OVERUSE_GRACE_MS = 7 * DAY_MS;
/** A SaaS key without reports for this long expires at its KA (000). */
export const SAAS_SILENCE_MS = 7 * DAY_MS;
/** Days without reports on which staff and the customer are warned. */
export const MISSING_WARNING_DAYS = [1, 3, 6] as const;
/** How often a license held over its quota after the grace has its farm read at the KA again. */
export const FARM_RECHECK_MS = 20 * 60 * 1000;

/** A license's usage as the watch pass judges it (a `usage_watch` row). */
export interface UsageWatch {
  licenseId: number;
  configurationId: number;
  customerId: number | null;
  keyNumber: string;
  product: string;
  saas: boolean;
  quota: number | null;
  packSize: number | null;
  firstDay: string;
  lastReportAt: number;
  lastPeak: number;
  overuseSince: number | null;
  graceEndsAt: number | null;
  graceQuota: number | null;
  overuseTold: 'none' | 'started' | 'ending' | 'ended';
  farmState: 'active' | 'deactivated' | 'reactivated' | null;
  missingTold: number;
  expiredAt: number | null;
  reviewAt: number | null;
  updatedAt: number;
}

/** What the KA says now, asked only when the judgement needs it. */
export interface KaFacts {
  /** True: the KA holds a farm of the key deactivated for overuse; undefined: could not tell. */
  farmOverused?: boolean;
  /** The key's expiry at the KA (ms), null: none; undefined: could not tell. */
  keyExpiresAt?: number | null;
}

export interface Judgement {
  changes: Partial<UsageWatch>;
  events: Array<{ type: EventType; data: Record<string, unknown> }>;
}

/** The "buy more" quantity that would cover the peak: packs when the product sells packs, else units. */
export function buyMoreOf(peak: number, packSize: number | null): { packs?: number; units: number } {
  if (packSize && packSize > 1) {
    const packs = Math.ceil(peak / packSize);
    return { packs, units: packs * packSize };
  }
  return { units: peak };
}

/** Whole days since the last report. */
export function daysSilent(watch: Pick<UsageWatch, 'lastReportAt'>, now: number): number {
  return Math.max(0, Math.floor((now - watch.lastReportAt) / DAY_MS));
}

/** Which KA facts a judgement at `now` needs (asked before judging, so judging stays pure). */
export function factsNeeded(watch: UsageWatch, now: number): { farm: boolean; expiry: boolean } {
  const overGraceSpent = watch.overuseSince !== null && watch.graceEndsAt !== null && now >= watch.graceEndsAt;
  return {
    farm: overGraceSpent || watch.farmState === 'deactivated',
    expiry: watch.saas && watch.expiredAt === null && now - watch.lastReportAt >= SAAS_SILENCE_MS,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * What a license's usage means at `now`: overuse starting (with its 7-day grace, unless spent at
 * this quota), its grace ending in a day, ended, or overuse over; the farm deactivated or
 * reactivated as the KA says; a SaaS key's missing reports (warnings on days 1, 3 and 6) and its
 * expiry once the KA expired it. Each notice is told once: the row remembers what was told.
 */
export function judge(watch: UsageWatch, now: number, facts: KaFacts): Judgement {
  const changes: Partial<UsageWatch> = {};
  const events: Judgement['events'] = [];
  const over = watch.quota !== null && watch.lastPeak > watch.quota;
  let { overuseSince, graceEndsAt, overuseTold, farmState } = watch;
  const buyMore = () => buyMoreOf(watch.lastPeak, watch.packSize);
  if (over && overuseSince === null) {
    overuseSince = Math.min(now, watch.lastReportAt);
    const graceAvailable = watch.graceQuota === null || (watch.quota ?? 0) > watch.graceQuota;
    graceEndsAt = graceAvailable ? overuseSince + OVERUSE_GRACE_MS : (watch.graceEndsAt ?? overuseSince);
    if (graceAvailable) changes.graceQuota = watch.quota;
    overuseTold = 'started';
    Object.assign(changes, { overuseSince, graceEndsAt, overuseTold });
    events.push({
      type: 'usage.overuse_started',
      data: {
        peak: watch.lastPeak,
        quota: watch.quota,
        overusedSince: iso(overuseSince),
        graceEndsAt: iso(graceEndsAt),
        graceAvailable,
        buyMore: buyMore(),
      },
    });
  } else if (!over && overuseSince !== null) {
    Object.assign(changes, { overuseSince: null, overuseTold: 'none' });
    events.push({ type: 'usage.overuse_ended', data: { peak: watch.lastPeak, quota: watch.quota } });
    overuseSince = null;
  }
  if (overuseSince !== null && graceEndsAt !== null) {
    const data = () => ({
      peak: watch.lastPeak,
      quota: watch.quota,
      overusedSince: iso(overuseSince),
      graceEndsAt: iso(graceEndsAt),
      buyMore: buyMore(),
    });
    if (now >= graceEndsAt && overuseTold !== 'ended') {
      changes.overuseTold = 'ended';
      events.push({ type: 'usage.overuse_grace_ended', data: data() });
    } else if (now >= graceEndsAt - DAY_MS && now < graceEndsAt && overuseTold === 'started') {
      changes.overuseTold = 'ending';
      events.push({ type: 'usage.overuse_grace_ending', data: data() });
    }
  }
  if (facts.farmOverused === true && farmState !== 'deactivated') {
    farmState = 'deactivated';
    changes.farmState = farmState;
    events.push({ type: 'usage.farm_deactivated', data: { peak: watch.lastPeak, quota: watch.quota } });
  } else if (facts.farmOverused === false && farmState === 'deactivated') {
    farmState = 'reactivated';
    changes.farmState = farmState;
    events.push({ type: 'usage.farm_reactivated', data: { peak: watch.lastPeak, quota: watch.quota } });
  }
  if (watch.saas && watch.expiredAt === null) {
    const silent = daysSilent(watch, now);
    const due = [...MISSING_WARNING_DAYS].reverse().find((day) => silent >= day);
    if (silent === 0 && watch.missingTold !== 0) changes.missingTold = 0;
    else if (due !== undefined && due > watch.missingTold) {
      changes.missingTold = due;
      events.push({
        type: 'usage.missing_reports',
        data: {
          day: due,
          lastReportAt: iso(watch.lastReportAt),
          expiresAt: iso(watch.lastReportAt + SAAS_SILENCE_MS),
        },
      });
    }
    if (typeof facts.keyExpiresAt === 'number' && facts.keyExpiresAt <= now) {
      changes.expiredAt = facts.keyExpiresAt;
      events.push({
        type: 'usage.saas_expired',
        data: { lastReportAt: iso(watch.lastReportAt), expiredAt: iso(facts.keyExpiresAt) },
      });
    }
  }
  return { changes, events };
}

/** When the watch pass must look at the license next; null: only when it reports again. */
export function nextReview(watch: UsageWatch, now: number): number | null {
  const times: number[] = [];
  if (watch.overuseSince !== null && watch.graceEndsAt !== null) {
    if (now < watch.graceEndsAt - DAY_MS) times.push(watch.graceEndsAt - DAY_MS);
    else if (now < watch.graceEndsAt) times.push(watch.graceEndsAt);
    else times.push(now + FARM_RECHECK_MS);
  }
  if (watch.farmState === 'deactivated') times.push(now + FARM_RECHECK_MS);
  if (watch.saas && watch.expiredAt === null) {
    const next = MISSING_WARNING_DAYS.find((day) => day > watch.missingTold);
    const at = next === undefined ? watch.lastReportAt + SAAS_SILENCE_MS : watch.lastReportAt + next * DAY_MS;
    times.push(Math.max(at, now >= watch.lastReportAt + SAAS_SILENCE_MS ? now + FARM_RECHECK_MS * 3 : at));
  }
  return times.length ? Math.min(...times) : null;
}

/** How a license's usage reads in the console and the API. */
export function usageStanding(watch: UsageWatch, now: number) {
  return {
    saas: watch.saas,
    quota: watch.quota,
    lastPeak: watch.lastPeak,
    lastReportAt: iso(watch.lastReportAt),
    daysMissing: watch.saas ? daysSilent(watch, now) : 0,
    overusedSince: iso(watch.overuseSince),
    graceEndsAt: watch.overuseSince === null ? null : iso(watch.graceEndsAt),
    farm: watch.farmState === 'active' ? null : watch.farmState,
    expiredAt: iso(watch.expiredAt),
    buyMore: watch.overuseSince === null ? null : buyMoreOf(watch.lastPeak, watch.packSize),
  };
}
