/**
 * The answers the XML limits benchmark parses, and the two ways of parsing them.
 *
 * `before` runs what the plugins did before the limits: xml2js over the whole XML-RPC answer
 * (the old codec, before its own checks), the soap package's parse over the whole SOAP answer.
 * `after` runs what they do now: `decodeMethodResponse` (XML-RPC, with the old 4 MiB cap so
 * the parse limits, not the size cap, meet the campaign's answers), the transport's pre-scan
 * then the soap package's parse (SOAP).
 */
import soap from 'soap';
import xml2js from 'xml2js';
import { decodeMethodResponse, encodeMethodResponse } from '../plugins/parallels-ka/src/xmlrpc-codec.js';
import { SOAP_LIMITS } from '../plugins/soap-ka/src/soap-transport.js';
import { WSDL_PATH } from '../plugins/soap-ka/src/wsdl-file.js';
import { readXml } from '../src/plugin-sdk/index.js';
import { hostileXml } from '../src/reference-ka/index.js';

const MiB = 1024 * 1024;
const XMLRPC = {
  head: '<?xml version="1.0"?><methodResponse><params><param><value>',
  tail: '</value></param></params></methodResponse>',
  open: '<array><data><value>',
  close: '</value></data></array>',
  listStart: '<array><data>',
  listEnd: '</data></array>',
};
const soapEnvelope = (inner: string): string =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ListProductsResponse xmlns="urn:keyway:ka:subscription:1">${inner}</ListProductsResponse></soap:Body></soap:Envelope>`;
const SOAP = {
  head: soapEnvelope('').replace(/<\/ListProductsResponse>.*$/, ''),
  tail: '</ListProductsResponse></soap:Body></soap:Envelope>',
  open: '<Key>',
  close: '</Key>',
  listStart: '',
  item: '<Key/>',
  listEnd: '',
};

function keyNumbersAnswer(keys: number): string {
  const keyInfos = Array.from({ length: keys }, (_, i) => ({
    keyNumber: `PLSK.${String(i).padStart(8, '0')}.0001`,
    keyType: 'PLESK-12-WEB-HOST',
    type: 'MAIN',
    createDate: new Date(),
    terminated: false,
    billingType: 'LEASE',
  }));
  return encodeMethodResponse({
    resultCode: 100,
    resultDesc: 'Keys found',
    keyNumbers: keyInfos.map((k) => k.keyNumber),
    keyInfos,
  });
}

/** The largest XML-RPC answer the limits accept: 1 MiB, 65,536 elements, long strings. */
function worstAcceptedXmlRpc(): string {
  const values = 32_760;
  const overhead = XMLRPC.head.length + XMLRPC.tail.length + XMLRPC.listStart.length + XMLRPC.listEnd.length;
  const pad = Math.floor((MiB - overhead) / values) - '<value><string></string></value>'.length;
  return `${XMLRPC.head}${XMLRPC.listStart}${`<value><string>${'k'.repeat(pad)}</string></value>`.repeat(values)}${XMLRPC.listEnd}${XMLRPC.tail}`;
}

/** The largest SOAP answer the limits accept: 512 KiB, 10,000 elements. */
function worstAcceptedSoap(): string {
  const products = 3_300;
  const pad = Math.floor((SOAP_LIMITS.maxBytes - 400) / products) - '<Product><Id></Id><Name>x</Name></Product>'.length;
  return soapEnvelope(`<Product><Id>${'p'.repeat(pad)}</Id><Name>x</Name></Product>`.repeat(products));
}

function listProductsAnswer(products: number): string {
  const features = (i: number) =>
    Array.from({ length: 10 }, (_, f) => `<Feature><Id>BULK-${i}-F${f}</Id><Name>Feature ${f}</Name></Feature>`).join(
      '',
    );
  return soapEnvelope(
    Array.from(
      { length: products },
      (_, i) => `<Product><Id>BULK-${i}</Id><Name>Bulk product ${i}</Name><Kind>PRIMARY</Kind>${features(i)}</Product>`,
    ).join(''),
  );
}

export const CASES: Record<string, { protocol: 'xmlrpc' | 'soap'; body: () => string }> = {
  'xmlrpc nested 3.9 MB (campaign)': {
    protocol: 'xmlrpc',
    body: () => hostileXml({ shape: 'nested', bytes: 3_900_000 }, { ...XMLRPC, item: '' }),
  },
  'xmlrpc flat 100k ints 2.7 MB (campaign)': {
    protocol: 'xmlrpc',
    body: () =>
      `${XMLRPC.head}${XMLRPC.listStart}${'<value><int>1</int></value>'.repeat(100_000)}${XMLRPC.listEnd}${XMLRPC.tail}`,
  },
  'xmlrpc nested 1 MB': {
    protocol: 'xmlrpc',
    body: () => hostileXml({ shape: 'nested', bytes: 1_000_000 }, { ...XMLRPC, item: '' }),
  },
  'xmlrpc flat 100k <value/> 0.8 MB': {
    protocol: 'xmlrpc',
    body: () => `${XMLRPC.head}${XMLRPC.listStart}${'<value/>'.repeat(100_000)}${XMLRPC.listEnd}${XMLRPC.tail}`,
  },
  'xmlrpc largest accepted, 1 MiB': { protocol: 'xmlrpc', body: worstAcceptedXmlRpc },
  'xmlrpc getKeyNumbers 1,500 keys (legit)': { protocol: 'xmlrpc', body: () => keyNumbersAnswer(1500) },
  'soap nested 3.9 MB (campaign)': {
    protocol: 'soap',
    body: () => hostileXml({ shape: 'nested', bytes: 3_900_000 }, SOAP),
  },
  'soap flat 100k elements 0.5 MB': {
    protocol: 'soap',
    body: () => hostileXml({ shape: 'flat', bytes: 500_300 }, { ...SOAP, item: '<K/>' }),
  },
  'soap nested 0.5 MB': { protocol: 'soap', body: () => hostileXml({ shape: 'nested', bytes: 500_000 }, SOAP) },
  'soap largest accepted, 512 KiB': { protocol: 'soap', body: worstAcceptedSoap },
  'soap ListProducts 150 products (legit)': { protocol: 'soap', body: () => listProductsAnswer(150) },
};

/** The parse a case runs in `mode`, warmed up as in a server that has run a while. */
export async function parserFor(
  protocol: 'xmlrpc' | 'soap',
  mode: 'before' | 'after',
): Promise<(body: string) => Promise<unknown>> {
  const client = await soap.createClientAsync(WSDL_PATH);
  const soapParse = (body: string): unknown =>
    (client as unknown as { wsdl: { xmlToObject(xml: string): unknown } }).wsdl.xmlToObject(body);
  const run: (body: string) => Promise<unknown> =
    protocol === 'xmlrpc'
      ? mode === 'before'
        ? (body) => xml2js.parseStringPromise(body, { explicitArray: true, strict: true, async: false })
        : (body) => decodeMethodResponse(body, 4 * MiB)
      : mode === 'before'
        ? async (body) => soapParse(body)
        : async (body) => {
            await readXml(body, SOAP_LIMITS);
            return soapParse(body);
          };
  await warmUp(protocol, run);
  return run;
}

/**
 * Twenty parses of a mid-sized answer. Run it again after a forced GC: a full collection
 * throws away enough of what the JIT learned to make the soap package's next parse several
 * times slower than in a running server.
 */
export async function warmUp(protocol: 'xmlrpc' | 'soap', run: (body: string) => Promise<unknown>): Promise<void> {
  const answer = protocol === 'xmlrpc' ? keyNumbersAnswer(200) : listProductsAnswer(20);
  for (let round = 0; round < 20; round++) await run(answer);
}
