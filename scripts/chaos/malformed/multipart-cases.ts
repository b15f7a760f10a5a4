import type { RequestCase } from './request-cases.js';

interface FilePart {
  name: string;
  content: string | Buffer;
  type?: string;
  /** The form field; `files` is the one the API reads. */
  field?: string;
}

function form(fields: Record<string, string | string[]>, files: FilePart[]): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) data.append(name, v);
  for (const f of files)
    data.append(
      f.field ?? 'files',
      new Blob([typeof f.content === 'string' ? f.content : new Uint8Array(f.content)], {
        type: f.type ?? 'application/xml',
      }),
      f.name,
    );
  return data;
}

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>${body}`;
const laughs = xml(
  `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><key>&j;</key>`,
);
const externalEntity = xml('<!DOCTYPE k [<!ENTITY x SYSTEM "file:///etc/passwd">]><key>&x;</key>');
const oneKib = xml(`<key>${'k'.repeat(1000)}</key>`);

/** A raw multipart body, for what FormData cannot write (broken framing, control characters). */
function raw(boundary: string, parts: string[], end = true): string {
  return `${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}${end ? `--${boundary}--\r\n` : ''}`;
}

/**
 * Malformed multipart uploads for an upload route: too big, too many, misnamed files,
 * hostile XML, fields over their limits, broken framing. `fields` are the form fields a
 * valid upload of that route needs besides the files (e.g. `configurationId` for New License).
 */
export function multipartCases(operation: string, path: string, fields: Record<string, string>): RequestCase[] {
  const file = (name: string, content: string | Buffer = oneKib, type?: string): FilePart => ({ name, content, type });
  const cases: Array<{ label: string; body: FormData | string; contentType?: string }> = [
    { label: 'no files', body: form(fields, []) },
    { label: 'a file of 1 MiB + 1 byte', body: form(fields, [file('big.xml', Buffer.alloc(1024 * 1024 + 1, 'a'))]) },
    {
      label: '12 files',
      body: form(
        fields,
        Array.from({ length: 12 }, (_, i) => file(`k${i}.xml`)),
      ),
    },
    {
      label: '8 files of 1 MiB (over the total)',
      body: form(
        fields,
        Array.from({ length: 8 }, (_, i) => file(`k${i}.xml`, Buffer.alloc(1024 * 1024, 'b'))),
      ),
    },
    { label: 'a file in another field', body: form(fields, [{ ...file('k.xml'), field: 'file' }]) },
    { label: 'name ../../etc/passwd', body: form(fields, [file('../../etc/passwd')]) },
    { label: 'name /etc/passwd', body: form(fields, [file('/etc/passwd')]) },
    { label: 'name with NUL', body: form(fields, [file('a\u0000b.xml')]) },
    { label: 'name with an RTL override', body: form(fields, [file('\u202Elmx.exe')]) },
    { label: 'name of 1,000 characters', body: form(fields, [file(`${'n'.repeat(1000)}.xml`)]) },
    { label: 'empty name', body: form(fields, [file('')]) },
    { label: 'emoji name', body: form(fields, [file('😀🔑.xml')]) },
    { label: 'entity expansion (billion laughs)', body: form(fields, [file('laughs.xml', laughs)]) },
    { label: 'external entity', body: form(fields, [file('xxe.xml', externalEntity)]) },
    {
      label: 'binary junk declared XML',
      body: form(fields, [file('junk.xml', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)))]),
    },
    { label: 'an empty file', body: form(fields, [file('empty.xml', '')]) },
    { label: 'an unknown file type', body: form(fields, [file('k.exe', 'MZ', 'application/x-msdownload')]) },
    {
      label: 'keyNumbers of 20,000 characters',
      body: form({ ...fields, keyNumbers: 'K'.repeat(20_000) }, [file('k.xml')]),
    },
    {
      label: '60 keyNumbers',
      body: form(
        { ...fields, keyNumbers: Array.from({ length: 60 }, (_, i) => `PLSK.${String(i).padStart(8, '0')}`) },
        [file('k.xml')],
      ),
    },
    { label: 'NUL in note', body: form({ ...fields, note: 'a\u0000b', override: 'true' }, [file('k.xml')]) },
    { label: 'override=maybe', body: form({ ...fields, override: 'maybe' }, [file('k.xml')]) },
    {
      label: '30 unknown fields',
      body: form({ ...fields, ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, 'x'])) }, [
        file('k.xml'),
      ]),
    },
    { label: 'multipart without a boundary', body: 'x', contentType: 'multipart/form-data' },
    {
      label: 'truncated multipart',
      body: raw(
        'b0undary',
        [
          'Content-Disposition: form-data; name="files"; filename="k.xml"\r\nContent-Type: application/xml\r\n\r\n<key>',
        ],
        false,
      ).slice(0, -3),
      contentType: 'multipart/form-data; boundary=b0undary',
    },
    {
      label: 'a part header with a control character',
      body: raw('b0undary', [
        'Content-Disposition: form-data; name="files"; filename="k\u0001.xml"\r\nContent-Type: application/xml\r\n\r\n<key/>',
      ]),
      contentType: 'multipart/form-data; boundary=b0undary',
    },
    {
      label: 'a part without Content-Disposition',
      body: raw('b0undary', ['Content-Type: application/xml\r\n\r\n<key/>']),
      contentType: 'multipart/form-data; boundary=b0undary',
    },
  ];
  return cases.map((c) => ({
    operation,
    method: 'POST',
    path,
    label: `multipart: ${c.label}`,
    rawBody: c.body,
    contentType: c.contentType,
  }));
}
