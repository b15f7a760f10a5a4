import type { FarmDetails, FarmRecord, KeyRecord } from './authority-types.js';
import { expireSilentSaasKey, judgeOveruse, recordReports } from './usage-reports.js';

/** An active installation validates its license this often (001: every 20 minutes). */
export const FARM_REPORT_MINUTES = 20;
const REPORT_MS = FARM_REPORT_MINUTES * 60 * 1000;

/** The farm the key is active on now, if any. */
export function activeFarm(key: KeyRecord): FarmRecord | undefined {
  return key.farms.find((farm) => farm.status === 'active');
}

/** Record a new farm on `serverId`; its activation is its first report. */
export function openFarm(key: KeyRecord, serverId: string, details: FarmDetails, now: Date): FarmRecord {
  const usage = details.usage ?? 0;
  const farm: FarmRecord = {
    serverId,
    farmName: details.farmName ?? `FARM-${serverId.slice(-4).toUpperCase()}`,
    appVersion: details.appVersion ?? '19.0.0',
    status: 'active',
    activatedAt: new Date(now.getTime()),
    lastReportAt: new Date(now.getTime()),
    peakUsage: usage,
    usage,
  };
  key.farms.push(farm);
  key.lastReportingDate = new Date(now.getTime());
  return farm;
}

/** Deactivate the key's active farm (it stays listed); answers whether one was active. */
export function closeFarm(key: KeyRecord, now: Date): boolean {
  const farm = activeFarm(key);
  if (!farm) return false;
  farm.status = 'deactivated';
  farm.deactivatedAt = new Date(now.getTime());
  return true;
}

/** What a key's reports are judged by: its quota (where its type counts one) and whether it is SaaS. */
export interface ReportRules {
  quota?: number;
  saas?: boolean;
}

/**
 * The reports an active farm made as the clock passed: one every `FARM_REPORT_MINUTES` since
 * its last (none while it has stopped reporting), each recording its usage then into its peak
 * and the key's day peaks, and judged for overuse; a SaaS key silent too long expires.
 */
export function catchUpReports(key: KeyRecord, now: Date, rules: ReportRules = {}): void {
  const farm = activeFarm(key);
  if (farm && farm.reporting !== false) {
    const due = Math.floor((now.getTime() - farm.lastReportAt.getTime()) / REPORT_MS);
    if (due >= 1) {
      const first = farm.lastReportAt.getTime() + REPORT_MS;
      const last = farm.lastReportAt.getTime() + due * REPORT_MS;
      recordReports(key, farm, { first, last, step: REPORT_MS }, rules.quota);
      judgeOveruse(key, farm, rules.quota, first, last);
      farm.lastReportAt = new Date(last);
      farm.peakUsage = Math.max(farm.peakUsage, farm.usage);
      key.lastReportingDate = new Date(last);
    }
  }
  if (rules.saas) expireSilentSaasKey(key, now);
}

/** The installation reports now: its activation, or reporting again after it stopped. */
export function reportNow(key: KeyRecord, farm: FarmRecord, now: Date, rules: ReportRules = {}): void {
  const at = now.getTime();
  recordReports(key, farm, { first: at, last: at, step: REPORT_MS }, rules.quota);
  judgeOveruse(key, farm, rules.quota, at, at);
  farm.lastReportAt = new Date(at);
  farm.peakUsage = Math.max(farm.peakUsage, farm.usage);
  key.lastReportingDate = new Date(at);
}
