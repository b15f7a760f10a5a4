import test from 'ava';
import soap from 'soap';
import { DEMO_ACCOUNT, LicenseAuthority } from '../../../src/reference-ka/index.js';
import { startReferenceSoapKa } from '../src/reference-server.js';

const NS = 'urn:keyway:ka:subscription:1';

function envelope(operation: string, body: string, password = DEMO_ACCOUNT.password): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ka="${NS}">
  <soapenv:Header>
    <ka:Credentials><ka:Login>${DEMO_ACCOUNT.login}</ka:Login><ka:Password>${password}</ka:Password></ka:Credentials>
  </soapenv:Header>
  <soapenv:Body><ka:${operation}Request>${body}</ka:${operation}Request></soapenv:Body>
</soapenv:Envelope>`;
}

async function post(
  url: string,
  operation: string,
  body: string,
  password?: string,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${NS}#${operation}"` },
    body: envelope(operation, body, password),
  });
  return { status: response.status, text: await response.text() };
}

const createBody = (ref: string, quota = 10, period = 12): string =>
  `<ka:ExternalId>${ref}</ka:ExternalId><ka:Product>RAS-SUBSCRIPTION</ka:Product><ka:Quota>${quota}</ka:Quota><ka:PeriodMonths>${period}</ka:PeriodMonths>`;

const element = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

test("the WSDL is served at ?wsdl with this server's address and parses into every documented operation", async (t) => {
  const ka = await startReferenceSoapKa();
  try {
    const response = await fetch(`${ka.url}?wsdl`);
    t.is(response.status, 200);
    const xml = await response.text();
    t.true(xml.includes(`<soap:address location="${ka.url}"/>`));
    const client = await soap.createClientAsync(`${ka.url}?wsdl`);
    const port =
      (client.describe() as Record<string, Record<string, Record<string, unknown>>>).SubscriptionKaService
        ?.SubscriptionKaPort ?? {};
    for (const operation of [
      'CreateKey',
      'FindKeysByExternalId',
      'GetKey',
      'RetrieveLicenseFile',
      'CreateAdditionalKey',
      'ChangeQuota',
      'RenewKey',
      'SuspendKey',
      'ResumeKey',
      'TerminateKey',
      'ListProducts',
      'Ping',
      'ActivateKey',
      'DeactivateKey',
    ]) {
      t.truthy(port[operation], `operation ${operation}`);
    }
  } finally {
    await ka.close();
  }
});

test('a hand-written envelope creates a key, and the same external id returns the same key', async (t) => {
  const ka = await startReferenceSoapKa();
  try {
    const first = await post(ka.url, 'CreateKey', createBody('kw-req-1'));
    t.is(first.status, 200);
    t.true(first.text.includes(`<CreateKeyResponse xmlns="${NS}">`));
    t.regex(element(first.text, 'KeyNumber') ?? '', /^RAS\.\d{8}$/);
    t.is(element(first.text, 'ExternalId'), 'kw-req-1');
    t.is(element(first.text, 'Quota'), '10');
    t.is(element(first.text, 'Status'), 'ACTIVE');
    t.is(element(first.text, 'Created'), 'true');
    const again = await post(ka.url, 'CreateKey', createBody('kw-req-1'));
    t.is(element(again.text, 'KeyNumber'), element(first.text, 'KeyNumber'));
    t.is(element(again.text, 'Created'), 'false');
    const found = await post(ka.url, 'FindKeysByExternalId', '<ka:ExternalId>kw-req-1</ka:ExternalId>');
    t.is(found.text.match(/<Key>/g)?.length, 1);
    const none = await post(ka.url, 'FindKeysByExternalId', '<ka:ExternalId>kw-req-2</ka:ExternalId>');
    t.true(none.text.includes('<FindKeysByExternalIdResponse'));
    t.false(none.text.includes('<Key>'));
  } finally {
    await ka.close();
  }
});

test('refusals are SOAP faults with a KaFault detail: code, retryable flag, message', async (t) => {
  const ka = await startReferenceSoapKa();
  try {
    const auth = await post(ka.url, 'Ping', '', 'wrong');
    t.is(auth.status, 500);
    t.is(element(auth.text, 'faultcode'), 'soap:Client');
    t.true(auth.text.includes(`<KaFault xmlns="${NS}">`));
    t.is(element(auth.text, 'Code'), 'AUTH_FAILED');
    t.is(element(auth.text, 'Retryable'), 'false');
    const missing = await post(ka.url, 'GetKey', '<ka:KeyNumber>RAS.99999999</ka:KeyNumber>');
    t.is(element(missing.text, 'Code'), 'KEY_NOT_FOUND');
    const period = await post(ka.url, 'CreateKey', createBody('kw-req-3', 5, 6));
    t.is(element(period.text, 'Code'), 'INVALID_REQUEST');
    ka.authority.injectFault('Ping', { kind: 'result', code: 'SERVICE_BUSY' }, { times: 1 });
    const busy = await post(ka.url, 'Ping', '');
    t.is(element(busy.text, 'faultcode'), 'soap:Server');
    t.is(element(busy.text, 'Retryable'), 'true');
    t.is(element((await post(ka.url, 'Ping', '')).text, 'ClientId'), String(DEMO_ACCOUNT.clientId));
  } finally {
    await ka.close();
  }
});

test('sublicenses reserve part of the quota; the quota cannot drop below the reservations', async (t) => {
  const ka = await startReferenceSoapKa();
  try {
    const main = element((await post(ka.url, 'CreateKey', createBody('kw-quota', 10))).text, 'KeyNumber') ?? '';
    const sub = (quota: number, extra = ''): Promise<{ status: number; text: string }> =>
      post(
        ka.url,
        'CreateAdditionalKey',
        `<ka:ParentKeyNumber>${main}</ka:ParentKeyNumber><ka:Product>RAS-SUBLICENSE</ka:Product><ka:Quota>${quota}</ka:Quota>${extra}`,
      );
    const first = await sub(6);
    t.is(element(first.text, 'Kind'), 'ADDITIONAL');
    t.is(element(first.text, 'RenewWithSubscription'), 'true');
    t.is(element((await sub(5)).text, 'Code'), 'QUOTA_EXCEEDED');
    const own = await sub(4, `<ka:ExpiresAt>${new Date(Date.now() + 86_400_000).toISOString()}</ka:ExpiresAt>`);
    t.is(element(own.text, 'RenewWithSubscription'), 'false');
    const info = await post(ka.url, 'GetKey', `<ka:KeyNumber>${main}</ka:KeyNumber>`);
    t.is(element(info.text, 'QuotaReserved'), '10');
    t.is(
      element(
        (await post(ka.url, 'ChangeQuota', `<ka:KeyNumber>${main}</ka:KeyNumber><ka:Quota>9</ka:Quota>`)).text,
        'Code',
      ),
      'QUOTA_EXCEEDED',
    );
    const raised = await post(ka.url, 'ChangeQuota', `<ka:KeyNumber>${main}</ka:KeyNumber><ka:Quota>20</ka:Quota>`);
    t.is(element(raised.text, 'Quota'), '20');
    t.is(element((await sub(10)).text, 'Kind'), 'ADDITIONAL');
  } finally {
    await ka.close();
  }
});

test('renewing a subscription carries its renew-with-subscription sublicenses; suspend, resume, terminate', async (t) => {
  const ka = await startReferenceSoapKa();
  try {
    const main = element((await post(ka.url, 'CreateKey', createBody('kw-renew', 5, 1))).text, 'KeyNumber') ?? '';
    const subText = (
      await post(
        ka.url,
        'CreateAdditionalKey',
        `<ka:ParentKeyNumber>${main}</ka:ParentKeyNumber><ka:Product>RAS-SUBLICENSE</ka:Product><ka:Quota>2</ka:Quota>`,
      )
    ).text;
    const sub = element(subText, 'KeyNumber') ?? '';
    t.is(
      element((await post(ka.url, 'RenewKey', `<ka:KeyNumber>${sub}</ka:KeyNumber>`)).text, 'Code'),
      'RENEW_REFUSED',
    );
    const renewed = await post(
      ka.url,
      'RenewKey',
      `<ka:KeyNumber>${main}</ka:KeyNumber><ka:PeriodMonths>24</ka:PeriodMonths>`,
    );
    const expires = element(renewed.text, 'ExpiresAt') ?? '';
    t.true(new Date(expires).getTime() > Date.now() + 24 * 30 * 86_400_000);
    t.is(element(renewed.text, 'PeriodMonths'), '24');
    t.is(ka.authority.getKey(sub).expiresAt.toISOString(), expires);
    t.is(
      element((await post(ka.url, 'SuspendKey', `<ka:KeyNumber>${main}</ka:KeyNumber>`)).text, 'Status'),
      'SUSPENDED',
    );
    t.is(element((await post(ka.url, 'ResumeKey', `<ka:KeyNumber>${main}</ka:KeyNumber>`)).text, 'Status'), 'ACTIVE');
    t.is(
      element((await post(ka.url, 'TerminateKey', `<ka:KeyNumber>${main}</ka:KeyNumber>`)).text, 'Status'),
      'TERMINATED',
    );
    t.true(ka.authority.getKey(sub).terminated, 'sublicenses end with their subscription');
    t.is(
      element((await post(ka.url, 'RetrieveLicenseFile', `<ka:KeyNumber>${main}</ka:KeyNumber>`)).text, 'Code'),
      'KEY_TERMINATED',
    );
  } finally {
    await ka.close();
  }
});

test('a key moves to another installation at most three times', async (t) => {
  const ka = await startReferenceSoapKa();
  try {
    const main = element((await post(ka.url, 'CreateKey', createBody('kw-moves'))).text, 'KeyNumber') ?? '';
    const activate = (installation: string) =>
      post(
        ka.url,
        'ActivateKey',
        `<ka:KeyNumber>${main}</ka:KeyNumber><ka:InstallationId>${installation}</ka:InstallationId>`,
      );
    const deactivate = () => post(ka.url, 'DeactivateKey', `<ka:KeyNumber>${main}</ka:KeyNumber>`);
    t.is(element((await activate('host-0')).text, 'MovesLeft'), '3');
    t.is(element((await activate('host-1')).text, 'Code'), 'INSTALLATION_IN_USE');
    for (const n of [1, 2, 3]) {
      await deactivate();
      t.is(element((await activate(`host-${n}`)).text, 'MovesLeft'), String(3 - n));
    }
    await deactivate();
    const refused = await activate('host-4');
    t.is(element(refused.text, 'Code'), 'ACTIVATION_LIMIT');
    t.is(element(refused.text, 'Retryable'), 'false');
  } finally {
    await ka.close();
  }
});

test('a subscription key works through its 30-day grace period, then its file is refused', async (t) => {
  let now = new Date('2030-01-01T00:00:00Z');
  const authority = new LicenseAuthority({ demo: true, clock: () => now });
  const ka = await startReferenceSoapKa({ authority });
  try {
    const main = element((await post(ka.url, 'CreateKey', createBody('kw-grace', 3, 1))).text, 'KeyNumber') ?? '';
    now = new Date('2030-02-15T00:00:00Z');
    t.is(authority.keyStatus(main), 'grace');
    t.is(element((await post(ka.url, 'GetKey', `<ka:KeyNumber>${main}</ka:KeyNumber>`)).text, 'Status'), 'GRACE');
    t.true(
      (await post(ka.url, 'RetrieveLicenseFile', `<ka:KeyNumber>${main}</ka:KeyNumber>`)).text.includes('<Content>'),
    );
    now = new Date('2030-03-15T00:00:00Z');
    t.is(
      element((await post(ka.url, 'RetrieveLicenseFile', `<ka:KeyNumber>${main}</ka:KeyNumber>`)).text, 'Code'),
      'KEY_EXPIRED',
    );
  } finally {
    await ka.close();
  }
});

test('one authority serves the XML-RPC demo catalogue and the SOAP subscription key types', async (t) => {
  const authority = new LicenseAuthority({ demo: true });
  const ka = await startReferenceSoapKa({ authority });
  try {
    const ids = authority.listProducts().map((p) => p.id);
    t.true(ids.includes('PLESK-12-WEB-HOST') && ids.includes('RAS-SUBSCRIPTION'));
    const products = await post(ka.url, 'ListProducts', '');
    t.true(products.text.includes('<QuotaUnit>users</QuotaUnit>'));
  } finally {
    await ka.close();
  }
});

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';

async function postRaw(
  url: string,
  body: string,
  soapAction?: string,
): Promise<{ status: number; type: string; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8' };
  if (soapAction !== undefined) headers.soapaction = soapAction;
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** A SOAP 1.1 fault as the WSDL has it, and nothing of a stack trace or an error page. */
function assertFault(
  t: import('ava').ExecutionContext,
  answer: { status: number; type: string; text: string },
  faultcode: string,
): void {
  t.is(answer.status, 500);
  t.regex(answer.type, /^text\/xml/);
  t.regex(answer.text, new RegExp(`^<\\?xml[^>]*\\?><soap:Envelope xmlns:soap="${SOAP11}"`));
  t.is(element(answer.text, 'faultcode'), faultcode);
  t.truthy(element(answer.text, 'faultstring'));
  t.notRegex(answer.text, /\bat [\w.<>]+ \(|TypeError|ReferenceError|Cannot read properties|<html|node_modules/i);
}

test('malformed envelopes get a soap:Client fault with an INVALID_REQUEST KaFault, never a stack trace', async (t) => {
  const ka = await startReferenceSoapKa();
  try {
    const valid = envelope('Ping', '');
    const malformed: Array<[string, string]> = [
      ['not XML', 'this is not XML'],
      ['empty', ''],
      ['truncated', valid.slice(0, valid.indexOf('<soapenv:Body>') + 20)],
      ['not an envelope', '<?xml version="1.0"?><Ping/>'],
      ['no body', valid.replace(/<soapenv:Body>.*<\/soapenv:Body>/s, '')],
      ['empty body', valid.replace(/<soapenv:Body>.*<\/soapenv:Body>/s, '<soapenv:Body/>')],
      ['unknown operation', envelope('NoSuchThing', '')],
      ['two request elements', valid.replace('</soapenv:Body>', `<ka:PingRequest/></soapenv:Body>`)],
      [
        'a DOCTYPE',
        valid.replace('<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'),
      ],
      [
        'a request element in another namespace',
        valid.replace('<ka:PingRequest></ka:PingRequest>', '<PingRequest xmlns="urn:other"/>'),
      ],
    ];
    for (const [name, body] of malformed) {
      const answer = await postRaw(ka.url, body, `"${NS}#Ping"`);
      assertFault(t, answer, 'soap:Client');
      t.true(answer.text.includes(`<KaFault xmlns="${NS}">`), name);
      t.is(element(answer.text, 'Code'), 'INVALID_REQUEST', name);
      t.is(element(answer.text, 'Retryable'), 'false', name);
      t.truthy(element(answer.text, 'Message'), name);
    }
    t.is(
      element((await post(ka.url, 'Ping', '')).text, 'ClientId'),
      String(DEMO_ACCOUNT.clientId),
      'the server still answers',
    );
  } finally {
    await ka.close();
  }
});

test('a SOAP 1.2 envelope gets a VersionMismatch fault naming the envelope this KA speaks', async (t) => {
  const ka = await startReferenceSoapKa();
  try {
    const answer = await postRaw(ka.url, envelope('Ping', '').replace(SOAP11, SOAP12));
    assertFault(t, answer, 'soap:VersionMismatch');
    t.true(answer.text.includes(`<upg:SupportedEnvelope qname="ns1:Envelope" xmlns:ns1="${SOAP11}"/>`));
    const foreign = await postRaw(ka.url, envelope('Ping', '').replace(SOAP11, 'urn:not-soap'));
    assertFault(t, foreign, 'soap:VersionMismatch');
  } finally {
    await ka.close();
  }
});

test('when SOAPAction and the body element disagree, the body element decides', async (t) => {
  const ka = await startReferenceSoapKa();
  try {
    const body = envelope('FindKeysByExternalId', '<ka:ExternalId>kw-none</ka:ExternalId>');
    for (const action of [`"${NS}#Ping"`, `"${NS}#CreateKey"`, '"urn:nonsense"', '']) {
      const answer = await postRaw(ka.url, body, action);
      t.is(answer.status, 200, action);
      t.true(answer.text.includes(`<FindKeysByExternalIdResponse xmlns="${NS}"`), action);
      t.false(answer.text.includes('<ClientId>'), `${action}: not Ping's answer`);
    }
    const created = await postRaw(ka.url, envelope('CreateKey', createBody('kw-action')), `"${NS}#Ping"`);
    t.is(element(created.text, 'ExternalId'), 'kw-action');
    t.is(ka.authority.findKeysByExternalId('kw-action').length, 1);
  } finally {
    await ka.close();
  }
});
