import test from 'ava';
import { DEMO_ACCOUNT } from '../../src/reference-ka/demo-catalogue.js';
import { KeyFileError, parseReferenceKeyFile, verifyReferenceKeyFile } from '../../src/reference-ka/key-file.js';
import { LicenseAuthority } from '../../src/reference-ka/license-authority.js';

function issue() {
  const ka = new LicenseAuthority({ demo: true });
  const { main } = ka.createKey(DEMO_ACCOUNT.clientId, {
    productId: 'PLESK-12-WEB-HOST',
    features: ['FT-POWER-PACK'],
    server: { ips: ['203.0.113.9'], macs: [] },
  });
  return { ka, main, file: ka.keyFile(main.keyNumber) };
}

test('the key file has the Plesk layout in the documented order', (t) => {
  const { file, main } = issue();
  const xml = file.content.toString('utf8');
  t.true(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<plesk-unified:key '));
  t.true(xml.includes('core:format="openfusion-3"'));
  t.true(xml.includes('xmlns:core="http://parallels.com/schemas/keys/core/3"'));
  const order = [
    'core:key-number',
    'core:key-version',
    'core:description',
    'core:product',
    'core:versions',
    'core:start-date',
    'core:expiration-date',
    'core:license-server-url',
    'core:update-date',
    'core:update-ticket',
    'plesk-unified:domains',
    'ds:Signature',
  ].map((name) => xml.indexOf(`<${name}`));
  t.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
  t.false(order.includes(-1));
  t.true(xml.includes(`<core:key-number core:type="string">${main.keyNumber}</core:key-number>`));
  t.is(file.fullKeyNumber, `${main.keyNumber}.0000`);
});

test('the signature verifies with the authority key and breaks on any edit', (t) => {
  const { ka, file } = issue();
  const xml = file.content.toString('utf8');
  t.true(verifyReferenceKeyFile(xml, ka.publicKeyPem));
  t.false(verifyReferenceKeyFile(xml.replace('>30<', '>31<'), ka.publicKeyPem));
  t.false(verifyReferenceKeyFile(xml, new LicenseAuthority().publicKeyPem));
  t.false(verifyReferenceKeyFile('<key/>', ka.publicKeyPem));
});

test('parseReferenceKeyFile reads back key number, product and dates', async (t) => {
  const { file, main } = issue();
  const parsed = await parseReferenceKeyFile(file.content);
  t.is(parsed.keyNumber, main.keyNumber);
  t.is(parsed.fullKeyNumber, `${main.keyNumber}.0000`);
  t.is(parsed.product, 'PLESK-12-WEB-HOST');
  t.is(parsed.productFamily, 'plesk');
  t.is(parsed.expiresAt?.toISOString().slice(0, 10), main.expiresAt.toISOString().slice(0, 10));
  t.is(parsed.updatesUntil, null);
  t.deepEqual(parsed.features, ['Power Pack']);
  t.is(parsed.limits.domains, 30);
  t.is(parsed.limits['expiration-date-grace'], false);
  t.true(parsed.signed);
});

test('parseReferenceKeyFile refuses DOCTYPEs, garbage and other documents', async (t) => {
  const bomb = '<?xml version="1.0"?><!DOCTYPE k [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><key>&b;</key>';
  await t.throwsAsync(parseReferenceKeyFile(bomb), { instanceOf: KeyFileError });
  await t.throwsAsync(parseReferenceKeyFile('<key><unclosed></key>'), { instanceOf: KeyFileError });
  await t.throwsAsync(parseReferenceKeyFile('<html><body/></html>'), { instanceOf: KeyFileError });
  await t.throwsAsync(parseReferenceKeyFile(Buffer.alloc(2 * 1024 * 1024, 32)), { instanceOf: KeyFileError });
});
