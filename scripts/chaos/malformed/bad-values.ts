import type { JsonSchema } from './openapi-operations.js';

/** A bad value as raw JSON text, so it can be what JSON.stringify would never write (deep, lone surrogates, 1e400). */
export interface BadValue {
  label: string;
  json: string;
  /** In the short campaign too, or only in the full one. */
  short: boolean;
}

const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Values wrong for almost any field: wrong types, edges of numbers, hostile text, nesting. */
const anyField: BadValue[] = [
  { label: 'null', json: 'null', short: true },
  { label: 'true', json: 'true', short: false },
  { label: 'a number', json: '12345', short: true },
  { label: '-1', json: '-1', short: true },
  { label: '0', json: '0', short: false },
  { label: '1.5', json: '1.5', short: false },
  { label: '1e400 (Infinity)', json: '1e400', short: true },
  { label: '2^53+1', json: '9007199254740993', short: true },
  { label: '2^31', json: '2147483648', short: true },
  { label: '2^53-1', json: '9007199254740991', short: true },
  { label: 'a string', json: '"text"', short: true },
  { label: '"1e3"', json: '"1e3"', short: false },
  { label: '"01"', json: '"01"', short: false },
  { label: '"0x1"', json: '"0x1"', short: false },
  { label: '" 1"', json: '" 1"', short: false },
  { label: 'empty string', json: '""', short: true },
  { label: 'blank string', json: '"   "', short: false },
  { label: 'NUL inside', json: '"a\\u0000b"', short: true },
  { label: 'RTL override', json: '"\\u202Eevil\\u202C.xml"', short: false },
  { label: 'lone surrogate', json: '"a\\ud800b"', short: true },
  { label: 'emoji ×300', json: JSON.stringify('😀'.repeat(300)), short: false },
  { label: '64 KiB string', json: JSON.stringify('x'.repeat(65_536)), short: true },
  { label: 'empty array', json: '[]', short: false },
  { label: 'array of junk', json: '[null,{},"x",1,[]]', short: true },
  { label: 'empty object', json: '{}', short: true },
  { label: '__proto__ object', json: '{"__proto__":{"polluted":true}}', short: false },
  { label: 'arrays nested 5000 deep', json: nestedArrays(5000), short: true },
  { label: 'objects nested 5000 deep', json: nestedObjects(5000), short: false },
];

/**
 * Bad values for one field: the general ones, plus the edges of its own schema (one past its
 * length limit, its limit in multi-byte characters, which a column sized in bytes would not
 * hold, one past its numeric range).
 */
export function badValuesFor(schema: JsonSchema | undefined, short: boolean): BadValue[] {
  const own: BadValue[] = [];
  if (schema?.maxLength !== undefined) {
    own.push({
      label: `${schema.maxLength + 1} characters`,
      json: JSON.stringify('y'.repeat(schema.maxLength + 1)),
      short: true,
    });
    own.push({
      label: `${schema.maxLength} four-byte characters`,
      json: JSON.stringify('𝄞'.repeat(Math.floor(schema.maxLength / 2))),
      short: true,
    });
    own.push({
      label: `${schema.maxLength} accented characters`,
      json: JSON.stringify('é'.repeat(schema.maxLength)),
      short: true,
    });
  }
  if (schema?.maximum !== undefined) own.push({ label: 'maximum + 1', json: String(schema.maximum + 1), short: true });
  if (schema?.maximum !== undefined && schema.maximum > 2 ** 31)
    own.push({ label: 'maximum', json: String(schema.maximum), short: true });
  return [...own, ...anyField].filter((v) => !short || v.short);
}

/** Query values: what a URL can carry that a parameter should refuse. */
export const badQueryValues: Array<{ label: string; raw: string; short: boolean }> = [
  { label: 'empty', raw: '', short: true },
  { label: '-1', raw: '-1', short: true },
  { label: '1e3', raw: '1e3', short: true },
  { label: '0x1', raw: '0x1', short: false },
  { label: '20 digits', raw: '99999999999999999999', short: true },
  { label: 'NaN', raw: 'NaN', short: false },
  { label: 'NUL', raw: '%00', short: true },
  { label: 'RTL override', raw: '%E2%80%AE1', short: false },
  { label: 'bad percent-encoding', raw: '%E0%A4%A', short: true },
  { label: '10,000 characters', raw: 'q'.repeat(10_000), short: true },
  { label: 'a bad date', raw: '2030-13-45T99:99:99Z', short: false },
];

/**
 * Path ids that are not an id. The first group spells an existing id in another way (`01`,
 * `+1`, `1e0`, ...): an API that coerces them acts on that object, which is what the
 * scenario checks. The rest name nothing.
 */
export function badIds(existing: number): Array<{ label: string; raw: string; spellsExisting: boolean }> {
  const spellings = [
    `0${existing}`,
    `+${existing}`,
    `${existing}.0`,
    `${existing}e0`,
    `%20${existing}`,
    `${existing}%20`,
    `0x${existing.toString(16)}`,
    `${existing}abc`,
    `${existing / 1000}e3`,
  ];
  const nothing = [
    '-1',
    '0',
    '1e3',
    '2147483648',
    '99999999999999999999',
    'NaN',
    'Infinity',
    'abc',
    '%00',
    '%E2%80%AE1',
    '1;select%201',
    '9'.repeat(400),
    '%F0%9F%98%80',
  ];
  return [
    ...spellings.map((raw) => ({ label: `"${decodeURIComponent(raw)}" for ${existing}`, raw, spellsExisting: true })),
    ...nothing.map((raw) => ({
      label: JSON.stringify(raw.length > 20 ? `${raw.slice(0, 12)}…` : raw),
      raw,
      spellsExisting: false,
    })),
  ];
}
