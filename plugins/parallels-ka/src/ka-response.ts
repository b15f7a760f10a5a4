import { type IssuedKey, KaError, type KeyInfo } from '../../../src/plugin-sdk/index.js';
import type { XmlRpcStruct, XmlRpcValue } from './xmlrpc-codec.js';

/** Partner API 1.0 leases (`billing`) are billed and renewed by the KA month by month. */
export const LEASE_MONTHS = 1;

/** A KA answer of the wrong shape: like a malformed document, retryable. */
export function shapeError(what: string): KaError {
  return new KaError(`KA answer lacks ${what}`, { code: 'protocol', retryable: true });
}

/** The same error with `outcomeUnknown` set as the caller knows better. */
export function withOutcome(error: KaError, outcomeUnknown: boolean): KaError {
  if (error.outcomeUnknown === outcomeUnknown) return error;
  return new KaError(error.message, {
    code: error.code,
    retryable: error.retryable,
    outcomeUnknown,
    kaResultCode: error.kaResultCode,
    kaMessage: error.kaMessage,
    cause: error.cause,
  });
}

export function asStruct(value: XmlRpcValue | undefined, what: string): XmlRpcStruct {
  if (
    value &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !Buffer.isBuffer(value)
  ) {
    return value as XmlRpcStruct;
  }
  throw shapeError(what);
}

export function text(struct: XmlRpcStruct, name: string): string | undefined {
  const value = struct[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

export function date(struct: XmlRpcStruct, name: string): Date | null {
  const value = struct[name];
  return value instanceof Date ? value : null;
}

export function list(struct: XmlRpcStruct, name: string): XmlRpcValue[] {
  const value = struct[name];
  return Array.isArray(value) ? value : [];
}

/** `PLSK.00000001.0003` → `PLSK.00000001`; other shapes are kept as the KA gave them. */
export function withoutRevision(keyNumber: string): string {
  return /^[A-Z0-9]+\.\d+\.\d{4}$/i.test(keyNumber) ? keyNumber.replace(/\.\d{4}$/, '') : keyNumber;
}

/** The fields createKey / upgradeKey / renewKey share. */
export function issuedKey(struct: XmlRpcStruct, numberField: string, now: Date | null): IssuedKey {
  const full = text(struct, numberField);
  if (!full) throw shapeError(numberField);
  const keyNumber = withoutRevision(full);
  return {
    keyNumber,
    fullKeyNumber: full,
    revision: full === keyNumber ? undefined : full.slice(keyNumber.length + 1),
    productKey: text(struct, 'productKey'),
    expiresAt: date(struct, 'expirationDate'),
    updatesUntil: date(struct, 'updateDate'),
    additionalKeyNumbers: list(struct, 'additionalKeysNumbers')
      .filter((n): n is string => typeof n === 'string')
      .map(withoutRevision),
    createdAt: now,
  };
}

/** `billingType` → how the KA sells the key: PURCHASE a fixed term, LEASE a monthly lease it renews itself. */
export function termKindOf(details: XmlRpcStruct): KeyInfo['termKind'] {
  const billing = text(details, 'billingType')?.toUpperCase();
  return billing === 'PURCHASE' ? 'term' : billing === 'LEASE' ? 'lease' : undefined;
}

/** `KeyDetails` → `KeyInfo`. */
export function keyInfo(details: XmlRpcStruct): KeyInfo {
  const base = issuedKey(details, 'keyNumber', date(details, 'createDate'));
  const termKind = termKindOf(details);
  const properties =
    details.properties && typeof details.properties === 'object' ? (details.properties as XmlRpcStruct) : {};
  return {
    ...base,
    additionalKeyNumbers: list(details, 'additionalKeys')
      .map((k) => (k && typeof k === 'object' && !Array.isArray(k) ? text(k as XmlRpcStruct, 'keyNumber') : undefined))
      .filter((n): n is string => n !== undefined)
      .map(withoutRevision),
    product: text(details, 'apiKeyType') ?? text(details, 'keyType') ?? '',
    startsAt: date(details, 'createDate') ?? undefined,
    termKind,
    ...(termKind === 'lease' ? { periodMonths: LEASE_MONTHS } : {}),
    terminated: details.terminated === true,
    suspended: properties.suspended === true ? true : undefined,
    features: list(details, 'features')
      .map((f) => (f && typeof f === 'object' && !Array.isArray(f) ? text(f as XmlRpcStruct, 'apiName') : undefined))
      .filter((n): n is string => n !== undefined),
  };
}

/** The note a KA keeps on a key, where it exposes it (the reference does, in `properties`). */
export function noteOf(details: XmlRpcStruct): string | undefined {
  const properties = details.properties;
  if (!properties || typeof properties !== 'object' || Array.isArray(properties)) return undefined;
  return text(properties as XmlRpcStruct, 'note');
}
