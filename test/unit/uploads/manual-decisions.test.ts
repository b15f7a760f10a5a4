import fs from 'node:fs';
import test from 'ava';
import { ValidationError } from '../../../src/errors/app-error.js';
import { normaliseKeyNumbers, checkUpload } from '../../../src/features/uploads/upload-check.js';
import { retryOnlineFrom } from '../../../src/features/uploads/manual-license-service.js';

const template = fs.readFileSync(new URL('../../../fixtures/license-files/plesk-valid.xml', import.meta.url), 'utf8');
const keyFile = (keyNumber: string, keyType = 'PLESK-12-WEB-HOST') =>
  Buffer.from(template.replace('PLSK.00001234', keyNumber).replace('PLESK-12-WEB-HOST', keyType));
const file = (fileName: string, content: Buffer, index = 0) => ({
  fileName,
  contentType: 'text/xml',
  content,
  index,
  type: { storeAs: 'text/xml' },
});

test('retry online resumes at the step the request failed at, and never asks for a key that may exist', (t) => {
  t.is(retryOnlineFrom({ issueSentAt: null }, undefined), 'ready');
  // The issue call may have made a key: look it up first.
  t.is(retryOnlineFrom({ issueSentAt: '2030-01-01T00:00:00.000Z' }, undefined), 'issuing');
  t.is(retryOnlineFrom({ issueSentAt: '2030-01-01T00:00:00.000Z' }, { files: [] }), 'key_issued');
  t.is(retryOnlineFrom({ issueSentAt: null }, { files: [{}] }), 'files_retrieved');
});

test('key numbers staff type are split, trimmed, and refused when empty or malformed; a repeat counts once', (t) => {
  t.deepEqual(normaliseKeyNumbers([' KEY.1, KEY.2 ', 'KEY.3']), ['KEY.1', 'KEY.2', 'KEY.3']);
  t.throws(() => normaliseKeyNumbers([' ', '']), { instanceOf: ValidationError });
  t.throws(() => normaliseKeyNumbers(['../etc/passwd']), { instanceOf: ValidationError });
  t.deepEqual(normaliseKeyNumbers(['KEY.1', 'KEY.1']), ['KEY.1']);
});

test('an upload whose file names another key, or another product, is a mismatch staff must override', async (t) => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const fits = await checkUpload({
    keyNumbers: ['PLSK.00000001'],
    files: [file('PLSK.00000001.xml', keyFile('PLSK.00000001'))] as never,
    product: 'PLESK-12-WEB-HOST',
    now,
  });
  t.deepEqual(fits.mismatches, []);
  t.is(fits.files[0]?.keyNumber, 'PLSK.00000001');
  const upload = (fileKey: string, keyType: string) =>
    checkUpload({
      keyNumbers: ['PLSK.00000001'],
      files: [file(`${fileKey}.xml`, keyFile(fileKey, keyType))] as never,
      product: 'PLESK-12-WEB-HOST',
      now,
    });
  const otherKey = await upload('PLSK.00000002', 'PLESK-12-WEB-HOST');
  t.deepEqual(
    otherKey.mismatches.map((m) => [m.field, m.kind]),
    [
      ['files.0', 'key_number'],
      ['keyNumbers.0', 'key_number'],
    ],
  );
  const otherProduct = await upload('PLSK.00000001', 'PLESK-12-WEB-PRO');
  t.deepEqual(
    otherProduct.mismatches.map((m) => [m.field, m.kind]),
    [['files', 'product']],
  );
});
