import {
  type FarmActivation,
  type IssuedKey,
  KaError,
  type KeyInfo,
  type UsageDay,
} from '../../../src/plugin-sdk/index.js';
import type { SoapObject } from './soap-ka-client.js';

/** A malformed answer: the KA acted (or not) but did not say what we need. */
export function shapeError(what: string, outcomeUnknown = false): KaError {
  return new KaError(`The KA's answer lacks ${what}`, { code: 'protocol', retryable: true, outcomeUnknown });
}

export function asObject(value: unknown): SoapObject | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)
    ? (value as SoapObject)
    : undefined;
}

/** One element or several: the soap client gives an object for one, an array for more. */
export function many(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function text(object: SoapObject, name: string): string | undefined {
  const value = object[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

export function date(object: SoapObject, name: string): Date | null {
  const value = object[name];
  const parsed = value instanceof Date ? value : typeof value === 'string' && value ? new Date(value) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : null;
}

function count(object: SoapObject, name: string): number | undefined {
  const value = Number(text(object, name));
  return text(object, name) !== undefined && Number.isInteger(value) ? value : undefined;
}

function strings(container: unknown, item: string): string[] {
  return many(asObject(container)?.[item])
    .map(String)
    .filter((s) => s.length > 0);
}

/** The WSDL's `Key` as an `IssuedKey`; throws a protocol `KaError` without a key number. */
export function issuedKey(value: unknown): IssuedKey {
  const key = asObject(value);
  const keyNumber = key && text(key, 'KeyNumber');
  if (!key || !keyNumber) throw shapeError('a Key with a KeyNumber');
  const full = text(key, 'FullKeyNumber');
  const termKind = text(key, 'TermKind');
  const period = Number(text(key, 'PeriodMonths'));
  const kind = text(key, 'Kind');
  const renews = key.RenewWithSubscription;
  return {
    keyType: kind === 'PRIMARY' ? 'primary' : kind === 'ADDITIONAL' ? 'additional' : undefined,
    parentKeyNumber: text(key, 'ParentKeyNumber'),
    name: text(key, 'Name'),
    quota: count(key, 'Quota'),
    quotaReserved: kind === 'PRIMARY' ? count(key, 'QuotaReserved') : undefined,
    quotaUnit: text(key, 'QuotaUnit'),
    renewsWithSubscription: renews === undefined || renews === null ? undefined : renews === true || renews === 'true',
    keyNumber,
    fullKeyNumber: full,
    revision: full?.startsWith(`${keyNumber}.`) ? full.slice(keyNumber.length + 1) : undefined,
    startsAt: date(key, 'CreatedAt') ?? undefined,
    termKind: termKind === 'TERM' ? 'term' : termKind === 'LEASE' ? 'lease' : undefined,
    periodMonths: Number.isInteger(period) && period > 0 ? period : undefined,
    productKey: text(key, 'ActivationCode'),
    expiresAt: date(key, 'ExpiresAt'),
    updatesUntil: date(key, 'UpdatesUntil'),
    additionalKeyNumbers: strings(key.AdditionalKeys, 'KeyNumber'),
    createdAt: date(key, 'CreatedAt'),
  };
}

export function keyInfo(value: unknown): KeyInfo {
  const base = issuedKey(value);
  const key = asObject(value) as SoapObject;
  const status = text(key, 'Status');
  return {
    ...base,
    product: text(key, 'Product') ?? '',
    terminated: status === 'TERMINATED',
    suspended: status === 'SUSPENDED',
    features: strings(key.Features, 'Feature'),
    graceEndsAt: date(key, 'GraceEndsAt') ?? undefined,
  };
}

/** The WSDL's `Farm` as a `FarmActivation`; throws a protocol `KaError` without its activation key. */
export function farmActivation(value: unknown): FarmActivation {
  const farm = asObject(value);
  const activationKey = farm && text(farm, 'ActivationKey');
  if (!farm || !activationKey) throw shapeError('a Farm with an ActivationKey');
  return {
    activationKey,
    farmName: text(farm, 'FarmName'),
    status: text(farm, 'Status') === 'ACTIVE' ? 'active' : 'deactivated',
    serverId: text(farm, 'ServerId'),
    appVersion: text(farm, 'AppVersion'),
    activatedAt: date(farm, 'ActivatedAt'),
    lastReportAt: date(farm, 'LastReportAt'),
    peakUsage: count(farm, 'PeakUsage'),
    movesUsed: count(farm, 'Moves'),
    movesLeft: count(farm, 'MovesLeft'),
    overuseDeactivated: flag(farm, 'OveruseDeactivated'),
  };
}

function flag(object: SoapObject, name: string): boolean | undefined {
  const value = object[name];
  if (value === undefined || value === null || value === '') return undefined;
  return value === true || value === 'true' || value === '1';
}

/** One `UsageDay` of `GetUsage`. */
export function usageDay(value: unknown): UsageDay {
  const record = asObject(value);
  const keyNumber = record && text(record, 'KeyNumber');
  const lastReportAt = record && date(record, 'LastReportAt');
  const peak = record && count(record, 'Peak');
  const rawDay = record?.Day;
  const day = rawDay instanceof Date ? rawDay.toISOString().slice(0, 10) : String(rawDay ?? '').slice(0, 10);
  if (!record || !keyNumber || !lastReportAt || peak === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(day))
    throw shapeError('a UsageDay with KeyNumber, Day, Peak and LastReportAt');
  return {
    keyNumber,
    day,
    peak,
    installationId: text(record, 'InstallationId'),
    lastReportAt,
    quota: count(record, 'Quota'),
  };
}
