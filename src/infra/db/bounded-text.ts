/**
 * Every text Keyway stores is bounded by what it writes, never by what the database refuses:
 * MariaDB refuses a value longer than its column (`ER_DATA_TOO_LONG`) where SQLite stores it,
 * so a text that can grow with its input (a reason listing keys, a KA's message) is cut here.
 */

/** The mark that ends a cut text, so a reader knows there was more. */
const cutMark = '…';

/**
 * `text` cut to at most `max` characters (a VARCHAR's length counts characters). JavaScript
 * counts UTF-16 units, at least as many as MariaDB's characters, so the cut is never too late;
 * it never splits a surrogate pair.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - cutMark.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + cutMark;
}

/** Bytes a MariaDB TEXT column holds. */
export const textColumnBytes = 65_535;

/**
 * `value` as JSON of at most `maxBytes` UTF-8 bytes. A value too large is replaced by a
 * marker with the start of its JSON, so the row is still written and staff still see most of it.
 */
export function boundedJson(value: unknown, maxBytes = textColumnBytes): string | null {
  if (value === undefined || value === null) return null;
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) <= maxBytes) return json;
  // Four bytes per character at most: this preview always fits beside the marker.
  const preview = clip(json, Math.floor((maxBytes - 200) / 4));
  return JSON.stringify({ truncated: true, bytes: Buffer.byteLength(json), preview });
}
