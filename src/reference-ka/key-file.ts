import { createHash, type KeyObject } from 'node:crypto';
import xml2js from 'xml2js';
import type { KeyRecord, LimitValue, ProductDefinition } from './authority-types.js';
import { signatureElement } from './key-file-signature.js';

export { verifyReferenceKeyFile } from './key-file-signature.js';

const CORE = 'http://parallels.com/schemas/keys/core/3';
/** Larger than any real key file; refuses uploads that are something else. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function limitType(value: LimitValue): string {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'integer';
  return 'string';
}

export interface KeyFileInput {
  key: KeyRecord;
  product: ProductDefinition;
  featureNames: string[];
  licenseServerUrl: string;
  privateKey: KeyObject;
}

/**
 * The Plesk-style key file for a key: product-namespaced root, `core:format="openfusion-3"`,
 * the core elements in the documented order, the limits, then an enveloped signature.
 */
export function buildKeyFile(input: KeyFileInput): string {
  const { key, product } = input;
  const ns = product.keyNamespace ?? {
    prefix: product.family,
    uri: `http://parallels.com/schemas/keys/products/${product.family}/multi`,
  };
  const el = (name: string, value: string, type?: string): string =>
    `<core:${name}${type ? ` core:type="${type}"` : ''}>${escapeText(value)}</core:${name}>`;
  const ticket = createHash('sha256').update(`${key.keyNumber}.${key.revision}`).digest('hex').slice(0, 32);
  const lines = [
    el('key-number', key.keyNumber, 'string'),
    el('key-version', key.revision, 'string'),
    `<core:description>${[el('keytype', product.id), ...input.featureNames.map((f) => el('feature', f))].join('')}</core:description>`,
    el('product', product.family, 'string'),
    el('versions', product.versions, 'string'),
    el('start-date', isoDate(key.createdAt), 'date'),
    el('expiration-date', isoDate(key.expiresAt), 'date'),
    el('license-server-url', input.licenseServerUrl, 'string'),
    el('update-date', key.updatesUntil ? isoDate(key.updatesUntil) : 'never', 'date'),
    `<core:update-ticket core:hidden="true" core:type="string">${ticket}</core:update-ticket>`,
    ...Object.entries(key.limits).map(
      ([name, value]) =>
        `<${ns.prefix}:${name} core:type="${limitType(value)}">${escapeText(String(value))}</${ns.prefix}:${name}>`,
    ),
  ];
  // Namespace declarations sorted by prefix, as canonical XML orders them.
  const decls = [
    [ns.prefix, ns.uri],
    ['core', CORE],
  ].sort(([a], [b]) => String(a).localeCompare(String(b)));
  const open = `<${ns.prefix}:key ${decls.map(([p, u]) => `xmlns:${p}="${u}"`).join(' ')} core:format="openfusion-3">`;
  const before = `${open}\n  ${lines.join('\n  ')}\n  `;
  const after = `\n</${ns.prefix}:key>`;
  const signature = signatureElement(before + after, input.privateKey);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${before}${signature}${after}\n`;
}

/** What a reference key file says about its key. */
export interface ReferenceKeyFile {
  keyNumber: string;
  keyVersion: string;
  /** `keyNumber.keyVersion`. */
  fullKeyNumber: string;
  /** The key type's API name, e.g. `PLESK-12-WEB-HOST`. */
  product: string;
  /** `core:product`, e.g. `plesk`. */
  productFamily: string;
  features: string[];
  startDate: Date | null;
  expiresAt: Date | null;
  /** `null` when updates never end. */
  updatesUntil: Date | null;
  limits: Record<string, LimitValue>;
  /** Whether it carries a signature; check it with `verifyReferenceKeyFile`. */
  signed: boolean;
}

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

type Node = Record<string, unknown>;

function text(node: unknown): string | undefined {
  const first = Array.isArray(node) ? node[0] : node;
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && typeof (first as Node)._ === 'string') return (first as Node)._ as string;
  if (first && typeof first === 'object') return '';
  return undefined;
}

function date(value: string | undefined): Date | null {
  if (!value || value === 'never') return null;
  const parsed = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

const CORE_NAMES = new Set([
  'key-number',
  'key-version',
  'description',
  'product',
  'versions',
  'start-date',
  'expiration-date',
  'license-server-url',
  'update-date',
  'update-ticket',
  'Signature',
]);

/**
 * Read a key file of the reference KA (for manual uploads: check key number, product and
 * expiry against the request). Refuses DOCTYPE/ENTITY declarations and files over 1 MiB;
 * throws `KeyFileError` for anything that is not such a key file.
 */
export async function parseReferenceKeyFile(xml: string | Buffer): Promise<ReferenceKeyFile> {
  const size = typeof xml === 'string' ? Buffer.byteLength(xml) : xml.length;
  if (size > MAX_KEY_FILE_BYTES) throw new KeyFileError('Key file is too large');
  const source = typeof xml === 'string' ? xml : xml.toString('utf8');
  if (/<!DOCTYPE|<!ENTITY/i.test(source)) throw new KeyFileError('Key file must not contain a DOCTYPE');
  let parsed: Node;
  try {
    parsed = (await xml2js.parseStringPromise(source, {
      tagNameProcessors: [xml2js.processors.stripPrefix],
      explicitArray: true,
    })) as Node;
  } catch {
    throw new KeyFileError('Key file is not well-formed XML');
  }
  const root = parsed.key as Node | undefined;
  if (!root || typeof root !== 'object') throw new KeyFileError('Key file root must be a <key> element');
  const keyNumber = text(root['key-number']);
  const keyVersion = text(root['key-version']) ?? '';
  const description = (root.description as Node[] | undefined)?.[0];
  const product = text(description?.keytype);
  if (!keyNumber || !product) throw new KeyFileError('Key file lacks key number or key type');
  const limits: Record<string, LimitValue> = {};
  for (const [name, value] of Object.entries(root)) {
    if (name === '$' || CORE_NAMES.has(name)) continue;
    const node = (value as Node[])[0];
    const raw = text(value) ?? '';
    const type = (node?.$ as Node | undefined)?.['core:type'];
    limits[name] = type === 'integer' ? Number(raw) : type === 'boolean' ? raw === 'true' : raw;
  }
  return {
    keyNumber,
    keyVersion,
    fullKeyNumber: keyVersion ? `${keyNumber}.${keyVersion}` : keyNumber,
    product,
    productFamily: text(root.product) ?? '',
    features: ((description?.feature as unknown[] | undefined) ?? []).map((f) => text(f) ?? ''),
    startDate: date(text(root['start-date'])),
    expiresAt: date(text(root['expiration-date'])),
    updatesUntil: date(text(root['update-date'])),
    limits,
    signed: root.Signature !== undefined,
  };
}
