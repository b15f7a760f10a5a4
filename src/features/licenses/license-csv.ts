import type { LicenseSummary } from './license.js';

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. A cell that a
 * spreadsheet would run as a formula (starting with = + - @, tab or carriage return) gets a
 * leading apostrophe, so an exported key number or product can never execute.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(' ') : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export const licenseCsvHeader = [
  'id',
  'configurationId',
  'keyNumber',
  'fullKeyNumber',
  'product',
  'features',
  'quota',
  'quotaUnit',
  'keyType',
  'parentLicenseId',
  'status',
  'source',
  'customerId',
  'subscriptionId',
  'requestId',
  'expiresAt',
  'updatesUntil',
  'installedAt',
  'createdAt',
] as const;

export function licenseCsvLine(l: LicenseSummary): string {
  return csvLine([
    l.id,
    l.configurationId,
    l.keyNumber,
    l.fullKeyNumber,
    l.product,
    l.features,
    l.quota,
    l.quotaUnit,
    l.keyType,
    l.parentLicenseId,
    l.status,
    l.source,
    l.customerId,
    l.subscriptionId,
    l.requestId,
    l.expiresAt,
    l.updatesUntil,
    l.installedAt,
    l.createdAt,
  ]);
}
