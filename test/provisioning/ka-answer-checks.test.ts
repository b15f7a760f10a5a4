import test from 'ava';
import type { LicenseFileContent } from '../../src/plugin-sdk/ka-adapter.js';
import { checkIssuedKey, checkLicenseFiles } from '../../src/provisioning/ka-answer-checks.js';

const file = (over: Partial<LicenseFileContent> = {}): LicenseFileContent => ({
  keyNumber: 'PLSK.00000001',
  fileName: 'PLSK.00000001.xml',
  contentType: 'application/xml',
  content: Buffer.from('<key/>'),
  ...over,
});

test('a key that fits what Keyway stores passes; one that does not is a permanent protocol error naming the field', (t) => {
  t.is(checkIssuedKey({ keyNumber: 'PLSK.00000001', additionalKeyNumbers: [] }), undefined);
  const long = checkIssuedKey({ keyNumber: `PLSK.${'9'.repeat(300)}`, additionalKeyNumbers: [] });
  t.like(long, { code: 'protocol', retryable: false });
  t.regex(long?.message ?? '', /keyNumber of 305 characters/);
  t.truthy(checkIssuedKey({ keyNumber: ' ', additionalKeyNumbers: [] }));
  t.truthy(checkIssuedKey({ keyNumber: 'PLSK.1', productKey: 'X'.repeat(81), additionalKeyNumbers: [] }));
  t.truthy(checkIssuedKey({ keyNumber: 'PLSK.1', additionalKeyNumbers: [''] }));
});

test('license files: a path, a control character, an oversized field or an empty body is refused', (t) => {
  t.is(checkLicenseFiles([file()]), undefined);
  t.truthy(checkLicenseFiles([]));
  for (const fileName of [
    '../etc/passwd',
    'a\\b.xml',
    'a/b',
    '..',
    '',
    'key\u0000.xml',
    'line\nbreak.xml',
    'x'.repeat(256),
  ]) {
    t.like(checkLicenseFiles([file({ fileName })]), { code: 'protocol', retryable: false }, fileName);
  }
  t.truthy(checkLicenseFiles([file({ contentType: 'a'.repeat(121) })]));
  t.truthy(checkLicenseFiles([file({ revision: 'r'.repeat(41) })]));
  t.truthy(checkLicenseFiles([file({ content: Buffer.alloc(0) })]));
});
