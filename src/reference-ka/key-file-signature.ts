import { createHash, createSign, createVerify, type KeyObject } from 'node:crypto';

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SIGNATURE = /<ds:Signature xmlns:ds="[^"]*">[\s\S]*?<\/ds:Signature>/;
const SIGNED_INFO = /<ds:SignedInfo>[\s\S]*?<\/ds:SignedInfo>/;

function signedInfo(digest: string): string {
  return (
    '<ds:SignedInfo>' +
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></ds:CanonicalizationMethod>' +
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"></ds:SignatureMethod>' +
    '<ds:Reference URI="">' +
    '<ds:Transforms>' +
    `<ds:Transform Algorithm="${DS}enveloped-signature"></ds:Transform>` +
    '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></ds:Transform>' +
    '</ds:Transforms>' +
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></ds:DigestMethod>' +
    `<ds:DigestValue>${digest}</ds:DigestValue>` +
    '</ds:Reference>' +
    '</ds:SignedInfo>'
  );
}

/** SignedInfo as exclusive c14n renders it on its own: the `ds` namespace on its apex. */
function canonicalSignedInfo(text: string): string {
  return text.replace('<ds:SignedInfo>', `<ds:SignedInfo xmlns:ds="${DS}">`);
}

/**
 * Build the enveloped signature for a document element whose canonical form (the element
 * with the signature removed) is `canonical`.
 *
 * The key file is written already in exclusive-c14n form (no declaration inside the root,
 * sorted attributes, no self-closing tags), so the canonical content is the exact text of the
 * root element without the signature. This keeps signing free of an XML-DSig library while
 * producing a signature a real one can check.
 */
export function signatureElement(canonical: string, privateKey: KeyObject): string {
  const digest = createHash('sha256').update(canonical, 'utf8').digest('base64');
  const info = signedInfo(digest);
  const value = createSign('RSA-SHA256').update(canonicalSignedInfo(info), 'utf8').sign(privateKey, 'base64');
  return `<ds:Signature xmlns:ds="${DS}">${info}<ds:SignatureValue>${value}</ds:SignatureValue></ds:Signature>`;
}

/**
 * True when `xml` carries an enveloped signature made with the private half of
 * `publicKeyPem` over exactly its current content. Any edit to the key file breaks it.
 */
export function verifyReferenceKeyFile(xml: string | Buffer, publicKeyPem: string): boolean {
  const text = typeof xml === 'string' ? xml : xml.toString('utf8');
  const signature = SIGNATURE.exec(text)?.[0];
  if (!signature) return false;
  const rootStart = text.indexOf('<', text.indexOf('?>') + 2);
  const root = text.slice(text.startsWith('<?xml') ? rootStart : text.indexOf('<')).trimEnd();
  const canonical = root.replace(signature, '');
  const info = SIGNED_INFO.exec(signature)?.[0];
  const digest = /<ds:DigestValue>([^<]*)<\/ds:DigestValue>/.exec(signature)?.[1];
  const value = /<ds:SignatureValue>([^<]*)<\/ds:SignatureValue>/.exec(signature)?.[1];
  if (!info || !digest || !value) return false;
  if (createHash('sha256').update(canonical, 'utf8').digest('base64') !== digest) return false;
  try {
    return createVerify('RSA-SHA256').update(canonicalSignedInfo(info), 'utf8').verify(publicKeyPem, value, 'base64');
  } catch {
    return false;
  }
}
