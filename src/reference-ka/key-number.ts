import { randomInt } from 'node:crypto';

const KEY_NUMBER = /^([A-Z][A-Z0-9]{1,9})\.(\d{8})(?:\.(\d{4}))?$/;
const PRODUCT_KEY = /^[A-Z0-9]{6}(?:-[A-Z0-9]{6}){4}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `PLSK.00000001.0003` or `PLSK.00000001` split into the license id and the revision. */
export function parseKeyNumber(value: string): { keyNumber: string; revision?: string } | undefined {
  const match = KEY_NUMBER.exec(value.trim().toUpperCase());
  if (!match) return undefined;
  return { keyNumber: `${match[1]}.${match[2]}`, revision: match[3] };
}

export function formatKeyNumber(prefix: string, sequence: number): string {
  return `${prefix}.${String(sequence).padStart(8, '0')}`;
}

export function fullKeyNumber(keyNumber: string, revision: string): string {
  return `${keyNumber}.${revision}`;
}

export function nextRevision(revision: string): string {
  return String((Number(revision) + 1) % 10000).padStart(4, '0');
}

export function isProductKey(value: string): boolean {
  return PRODUCT_KEY.test(value);
}

/** A fresh activation code: five dash-separated groups of six upper-case alphanumerics. */
export function generateProductKey(): string {
  const group = (): string => Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return Array.from({ length: 5 }, group).join('-');
}
