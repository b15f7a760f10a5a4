/** A value XML-RPC can carry. `null` is `<nil/>`; `Buffer` is `<base64>`. */
export type XmlRpcValue = string | number | boolean | Date | Buffer | null | XmlRpcValue[] | XmlRpcStruct;

export interface XmlRpcStruct {
  [member: string]: XmlRpcValue;
}

/** Thrown by the codec for anything that is not valid XML-RPC; callers wrap it. */
export class XmlRpcFormatError extends Error {
  /** Set when the document was refused for a parse limit (size, depth, count, text), not its form. */
  readonly limit?: string;

  constructor(message: string, limit?: string) {
    super(message);
    this.limit = limit;
    this.name = 'XmlRpcFormatError';
  }
}

/** Encoding nests no deeper than this (decoding is bounded by `XMLRPC_LIMITS`). */
const MAX_DEPTH = 64;
const I4_MIN = -2147483648;
const I4_MAX = 2147483647;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** The compact form KAs use: `20261122T00:00:00` (UTC). */
export function formatIsoCompact(date: Date): string {
  return (
    `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/** Compact or extended ISO 8601; no zone means UTC. */
export function parseIsoDate(text: string): Date {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!match) throw new XmlRpcFormatError(`Bad dateTime.iso8601 value "${text.slice(0, 40)}"`);
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const offset = zone && zone !== 'Z' ? zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z';
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac ?? ''}${offset}`);
  if (Number.isNaN(date.getTime())) throw new XmlRpcFormatError(`Bad dateTime.iso8601 value "${text.slice(0, 40)}"`);
  return date;
}

/** The xml2js builder object for one `<value>`'s content. */
export function toBuilderValue(value: XmlRpcValue, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new XmlRpcFormatError('Value nested too deeply');
  if (value === null) return { nil: '' };
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'boolean') return { boolean: value ? '1' : '0' };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new XmlRpcFormatError('XML-RPC cannot carry NaN or Infinity');
    return Number.isInteger(value) && value >= I4_MIN && value <= I4_MAX
      ? { int: String(value) }
      : { double: String(value) };
  }
  if (value instanceof Date) return { 'dateTime.iso8601': formatIsoCompact(value) };
  if (Buffer.isBuffer(value)) return { base64: value.toString('base64') };
  if (Array.isArray(value)) {
    if (value.length === 0) return { array: { data: '' } };
    return { array: { data: { value: value.map((item) => toBuilderValue(item, depth + 1)) } } };
  }
  const members = Object.entries(value).filter(([, v]) => v !== undefined);
  if (members.length === 0) return { struct: '' };
  return { struct: { member: members.map(([name, v]) => ({ name, value: toBuilderValue(v, depth + 1) })) } };
}

/** The XML-RPC types whose content is text. */
export const SCALAR_TYPES: ReadonlySet<string> = new Set([
  'string',
  'int',
  'i4',
  'i8',
  'double',
  'boolean',
  'dateTime.iso8601',
  'base64',
]);

/** Decode the text of one scalar type element (`SCALAR_TYPES`). */
export function scalarValue(type: string, text: string): XmlRpcValue {
  switch (type) {
    case 'string':
      return text;
    case 'int':
    case 'i4':
    case 'i8': {
      const digits = text.trim();
      if (!/^[+-]?\d{1,19}$/.test(digits)) throw new XmlRpcFormatError(`Bad <${type}> "${digits.slice(0, 40)}"`);
      return Number(digits);
    }
    case 'double': {
      const digits = text.trim();
      const number = Number(digits);
      if (digits === '' || !Number.isFinite(number))
        throw new XmlRpcFormatError(`Bad <double> "${digits.slice(0, 40)}"`);
      return number;
    }
    case 'boolean': {
      const flag = text.trim();
      if (flag !== '0' && flag !== '1') throw new XmlRpcFormatError(`Bad <boolean> "${flag.slice(0, 40)}"`);
      return flag === '1';
    }
    case 'dateTime.iso8601':
      return parseIsoDate(text);
    case 'base64': {
      const compact = text.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw new XmlRpcFormatError('Bad <base64>');
      return Buffer.from(compact, 'base64');
    }
    default:
      throw new XmlRpcFormatError(`Unknown XML-RPC type <${type.slice(0, 40)}>`);
  }
}

/** Set a struct member; defineProperty so a member named "__proto__" stays data, never a prototype. */
export function setMember(target: XmlRpcStruct, name: string, value: XmlRpcValue): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}
