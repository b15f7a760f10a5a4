import type { KeyRecord, LicenseAuthority } from '../../../src/reference-ka/index.js';
import { ResultCodeError } from './reference-result-codes.js';
import type { XmlRpcStruct, XmlRpcValue } from './xmlrpc-value.js';

/** Readers for method parameters: wrong shapes answer the protocol's 4xx result codes. */
export function str(value: XmlRpcValue | undefined, what: string, code = 400): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new ResultCodeError(code, `${what} must be a string`);
}

export function int(value: XmlRpcValue | undefined, what: string, code = 400): number {
  // Some clients send integers untyped, which reads as a string.
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
  throw new ResultCodeError(code, `${what} must be an integer`);
}

export function bool(value: XmlRpcValue | undefined, what: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === '0' || value === '1') return value === '1';
  throw new ResultCodeError(400, `${what} must be a boolean`);
}

export function strings(value: XmlRpcValue | undefined, what: string, code = 400): string[] {
  if (!Array.isArray(value)) throw new ResultCodeError(code, `${what} must be an array`);
  return value.map((item) => str(item, what, code));
}

export function struct(value: XmlRpcValue | undefined, what: string, code = 400): XmlRpcStruct {
  if (
    value &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !Buffer.isBuffer(value)
  ) {
    return value as XmlRpcStruct;
  }
  throw new ResultCodeError(code, `${what} must be a struct`);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const MAC = /^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/;

export function ip(value: XmlRpcValue | undefined): string {
  const text = str(value, 'IP address', 406);
  if (!IPV4.test(text) && !/^[0-9a-fA-F:]{2,39}$/.test(text)) throw new ResultCodeError(406, 'Malformed IP address');
  return text;
}

/** `ServerAddress {ips: string[], macs: string[]}`; both may be empty or absent. */
export function serverAddress(value: XmlRpcValue | undefined): { ips: string[]; macs: string[] } {
  const s = struct(value, 'ServerAddress', 405);
  const ips = s.ips === undefined ? [] : strings(s.ips, 'ips', 405).map((v) => ip(v));
  const macs = s.macs === undefined ? [] : strings(s.macs, 'macs', 405);
  if (macs.some((mac) => !MAC.test(mac))) throw new ResultCodeError(431, 'Malformed MAC address');
  return { ips, macs };
}

export function keyNumber(value: XmlRpcValue | undefined): string {
  const text = str(value, 'Key number', 410);
  if (text.length === 0 || text.length > 64) throw new ResultCodeError(410, 'Malformed key number');
  return text;
}

function optional<T>(value: T | undefined | null): T | undefined {
  return value === null ? undefined : value;
}

/** `KeyDetails` of ka-protocol.md for a stored key. */
export function keyDetails(authority: LicenseAuthority, key: KeyRecord): XmlRpcStruct {
  const product = authority.listProducts().find((p) => p.id === key.productId);
  const details: XmlRpcStruct = {
    clientId: key.clientId,
    keyNumber: `${key.keyNumber}.${key.revision}`,
    keyType: product?.name ?? key.productId,
    apiKeyType: key.productId,
    type: key.kind,
    expirationDate: key.expiresAt,
    productKey: key.productKey,
    createDate: key.createdAt,
    terminated: key.terminated,
    additionalKeys: key.additionalKeyNumbers.map((n) => keyDetails(authority, authority.getKey(n))),
    features: key.features.map((id) => ({ apiName: id, name: product?.features.find((f) => f.id === id)?.name ?? id })),
    properties: { note: key.note ?? '', suspended: key.suspended },
    billingType: key.billingType,
    activated: key.activation.installationId !== undefined,
  };
  const extras: XmlRpcStruct = {};
  if (key.updatesUntil) extras.updateDate = key.updatesUntil;
  if (key.guid) extras.guid = key.guid;
  if (key.parentKeyNumber) extras.parentKeyNumber = key.parentKeyNumber;
  if (key.boundIp) extras.boundIPAddress = key.boundIp;
  const reporting = optional(key.lastReportingDate);
  if (reporting) extras.lastReportingDate = reporting;
  if (key.lastReportingIp) extras.lastReportingIp = key.lastReportingIp;
  return { ...details, ...extras };
}
