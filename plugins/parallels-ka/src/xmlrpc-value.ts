/** A value XML-RPC can carry. `null` is `<nil/>`; `Buffer` is `<base64>`. */
export type XmlRpcValue = string | number | boolean | Date | Buffer | null | XmlRpcValue[] | XmlRpcStruct;

export interface XmlRpcStruct {
  [member: string]: XmlRpcValue;
}

/** Thrown by the codec for anything that is not valid XML-RPC; callers wrap it. */
export class XmlRpcFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlRpcFormatError';
  }
}

/** Nesting deeper than this is refused rather than risking the stack. */
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
    return Number.isInteger(value) && value >= I4_MIN && value <= I4_MAX ? { int: String(value) } : { double: String(value) };
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

type Parsed = Record<string, unknown>;

/** Text of an element as xml2js gives it: a string, or `{_: text, $: attrs}`. */
function textOf(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object') {
    const text = (node as Parsed)._;
    if (typeof text === 'string') return text;
    const children = Object.keys(node).filter((k) => k !== '$');
    if (children.length === 0) return '';
  }
  throw new XmlRpcFormatError('Expected text, found elements');
}

function only(list: unknown, what: string): unknown {
  if (!Array.isArray(list) || list.length !== 1) throw new XmlRpcFormatError(`Expected exactly one <${what}>`);
  return list[0];
}

function setMember(target: XmlRpcStruct, name: string, value: XmlRpcValue): void {
  // defineProperty so a member named "__proto__" stays data, never a prototype.
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Decode one parsed `<value>` element (xml2js, explicitArray). */
export function fromParsedValue(node: unknown, depth = 0): XmlRpcValue {
  if (depth > MAX_DEPTH) throw new XmlRpcFormatError('Value nested too deeply');
  // Untyped `<value>text</value>` is a string; so is an empty `<value/>`.
  if (typeof node === 'string') return node;
  if (!node || typeof node !== 'object') throw new XmlRpcFormatError('Bad <value>');
  const types = Object.keys(node).filter((k) => k !== '$' && k !== '_');
  if (types.length === 0) return textOf(node);
  if (types.length !== 1) throw new XmlRpcFormatError('A <value> holds exactly one type');
  const type = types[0] as string;
  const inner = only((node as Parsed)[type], type);
  switch (type) {
    case 'string':
      return textOf(inner);
    case 'int':
    case 'i4':
    case 'i8': {
      const text = textOf(inner).trim();
      if (!/^[+-]?\d{1,19}$/.test(text)) throw new XmlRpcFormatError(`Bad <${type}> "${text.slice(0, 40)}"`);
      return Number(text);
    }
    case 'double': {
      const text = textOf(inner).trim();
      const number = Number(text);
      if (text === '' || !Number.isFinite(number)) throw new XmlRpcFormatError(`Bad <double> "${text.slice(0, 40)}"`);
      return number;
    }
    case 'boolean': {
      const text = textOf(inner).trim();
      if (text !== '0' && text !== '1') throw new XmlRpcFormatError(`Bad <boolean> "${text.slice(0, 40)}"`);
      return text === '1';
    }
    case 'dateTime.iso8601':
      return parseIsoDate(textOf(inner));
    case 'base64': {
      const text = textOf(inner).replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new XmlRpcFormatError('Bad <base64>');
      return Buffer.from(text, 'base64');
    }
    case 'nil':
      return null;
    case 'array': {
      if (typeof inner === 'string') throw new XmlRpcFormatError('<array> needs <data>');
      const data = only((inner as Parsed).data, 'data');
      if (typeof data === 'string') return [];
      const values = (data as Parsed).value ?? [];
      if (!Array.isArray(values)) throw new XmlRpcFormatError('Bad <data>');
      return values.map((v) => fromParsedValue(v, depth + 1));
    }
    case 'struct': {
      const struct: XmlRpcStruct = {};
      if (typeof inner === 'string') return struct;
      const members = (inner as Parsed).member ?? [];
      if (!Array.isArray(members)) throw new XmlRpcFormatError('Bad <struct>');
      for (const member of members) {
        if (!member || typeof member !== 'object') throw new XmlRpcFormatError('Bad <member>');
        const name = textOf(only((member as Parsed).name, 'name'));
        setMember(struct, name, fromParsedValue(only((member as Parsed).value, 'value'), depth + 1));
      }
      return struct;
    }
    default:
      throw new XmlRpcFormatError(`Unknown XML-RPC type <${type.slice(0, 40)}>`);
  }
}
