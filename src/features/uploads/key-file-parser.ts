import xml2js from 'xml2js';

/** The namespace of the core elements of a Plesk-style key file (ka-protocol.md). */
export const PLESK_KEY_CORE_NS = 'http://parallels.com/schemas/keys/core/3';

/** What a Plesk-style key file says about its key; the facts an upload is checked against. */
export interface ParsedKeyFile {
  format: 'plesk-xml';
  /** Without the revision, e.g. `PLSK.00001234`. */
  keyNumber: string;
  /** `core:key-version`, e.g. `0003`, when present. */
  keyVersion: string | null;
  /** `core:description/core:keytype`: the key type's API name, e.g. `PLESK-12-WEB-HOST`. */
  keyType: string | null;
  /** `core:product`, e.g. `plesk`. */
  productFamily: string | null;
  features: string[];
  expiresAt: Date | null;
  /** `null` when updates never end or the file does not say. */
  updatesUntil: Date | null;
}

/** Why a file is not a key file we can read; the upload reports it as "unknown format". */
export class KeyFileFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileFormatError';
  }
}

type XmlNode = Record<string, unknown>;

function textOf(node: unknown): string | undefined {
  const first = Array.isArray(node) ? node[0] : node;
  if (typeof first === 'string') return first.trim();
  if (first && typeof first === 'object') {
    const inner = (first as XmlNode)._;
    return typeof inner === 'string' ? inner.trim() : '';
  }
  return undefined;
}

function dateOf(value: string | undefined, what: string): Date | null {
  if (!value || value === 'never') return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new KeyFileFormatError(`${what} is not a YYYY-MM-DD date`);
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) throw new KeyFileFormatError(`${what} is not a valid date`);
  return parsed;
}

/** True when the bytes look like XML (after an optional BOM and white space). */
export function looksLikeXml(content: Buffer): boolean {
  const head = content
    .subarray(0, 64)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return head.startsWith('<');
}

/**
 * Reads a Plesk-style XML key file (root `<prefix:key core:format="openfusion-3">` in the core
 * namespace). DOCTYPE and ENTITY declarations are refused before parsing, so no entity
 * expansion can happen. Throws `KeyFileFormatError` for anything else; the signature is not
 * checked, since only the issuing vendor's key could verify it.
 */
export async function parsePleskKeyFile(content: Buffer): Promise<ParsedKeyFile> {
  const source = content.toString('utf8').replace(/^\uFEFF/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(source)) throw new KeyFileFormatError('the XML has a DOCTYPE or ENTITY declaration');
  let parsed: XmlNode;
  try {
    parsed = (await xml2js.parseStringPromise(source, {
      xmlns: true,
      explicitArray: true,
      tagNameProcessors: [xml2js.processors.stripPrefix],
      attrNameProcessors: [xml2js.processors.stripPrefix],
    })) as XmlNode;
  } catch {
    throw new KeyFileFormatError('the file is not well-formed XML');
  }
  const rootName = Object.keys(parsed)[0];
  const root = rootName ? (parsed[rootName] as XmlNode) : undefined;
  if (rootName !== 'key' || !root || typeof root !== 'object')
    throw new KeyFileFormatError('the root element is not a key');
  const core = (name: string): unknown => {
    const nodes = root[name];
    if (!Array.isArray(nodes)) return undefined;
    // With xmlns on, each element carries its namespace URI in `$ns`; only core ones count.
    return nodes.filter(
      (n) =>
        typeof n === 'object' &&
        n !== null &&
        ((n as XmlNode).$ns as { uri?: string } | undefined)?.uri === PLESK_KEY_CORE_NS,
    );
  };
  const keyNumberRaw = textOf(core('key-number'));
  if (!keyNumberRaw) throw new KeyFileFormatError('the key file has no core:key-number');
  const description = (core('description') as XmlNode[] | undefined)?.[0];
  const features = Array.isArray(description?.feature)
    ? (description.feature as unknown[]).map((f) => textOf(f) ?? '').filter(Boolean)
    : [];
  const keyNumber = keyNumberRaw.toUpperCase();
  return {
    format: 'plesk-xml',
    keyNumber: stripRevision(keyNumber),
    keyVersion: textOf(core('key-version')) || null,
    keyType: (description ? textOf(description.keytype) : undefined) || null,
    productFamily: textOf(core('product')) || null,
    features,
    expiresAt: dateOf(textOf(core('expiration-date')), 'core:expiration-date'),
    updatesUntil: dateOf(textOf(core('update-date')), 'core:update-date'),
  };
}

const PLESK_KEY_NUMBER = /^([A-Z][A-Z0-9]{1,9}\.\d{8})(?:\.\d{4})?$/;

/** `PLSK.00001234.0003` → `PLSK.00001234`; other vendors' numbers are kept as given. */
export function stripRevision(keyNumber: string): string {
  const match = PLESK_KEY_NUMBER.exec(keyNumber.trim().toUpperCase());
  return match?.[1] ?? keyNumber.trim();
}

/** The revision of a `PREFIX.NNNNNNNN.VVVV` number, if it has one. */
export function revisionOf(keyNumber: string): string | null {
  const match = /^[A-Z][A-Z0-9]{1,9}\.\d{8}\.(\d{4})$/.exec(keyNumber.trim().toUpperCase());
  return match?.[1] ?? null;
}
