/**
 * A file name from a KA made safe to store and install: the last path segment only (a KA may
 * send `../../etc/passwd` or `C:\keys\a.xml`), no control characters, at most 200 characters;
 * `fallback` when nothing usable is left.
 */
export function safeFileName(name: string | undefined, fallback: string): string {
  const last = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = last
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 200);
  return clean === '' || clean === '.' || clean === '..' ? fallback : clean;
}
