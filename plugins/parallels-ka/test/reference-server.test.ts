import test from 'ava';
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import { startReferenceXmlRpcKa } from '../src/reference-server.js';
import { decodeMethodResponse, type XmlRpcStruct } from '../src/xmlrpc-codec.js';

const auth = (password = DEMO_ACCOUNT.password): string =>
  `<param><value><struct><member><name>login</name><value>${DEMO_ACCOUNT.login}</value></member>` +
  `<member><name>password</name><value><string>${password}</string></value></member></struct></value></param>`;

async function post(url: string, xml: string): Promise<XmlRpcStruct> {
  const response = await fetch(url, { method: 'POST', body: xml, headers: { 'content-type': 'text/xml' } });
  const decoded = await decodeMethodResponse(Buffer.from(await response.arrayBuffer()));
  if (decoded.kind !== 'result') return { fault: decoded.code, message: decoded.message };
  return decoded.value as XmlRpcStruct;
}

const call = (method: string, params: string, password?: string): string =>
  `<?xml version="1.0"?><methodCall><methodName>partner10.${method}</methodName><params>${auth(password)}${params}</params></methodCall>`;

const createA =
  '<param><value><struct><member><name>ips</name><value><array><data><value>192.0.2.10</value></data></array></value></member>' +
  '<member><name>macs</name><value><array><data/></array></value></member></struct></value></param>' +
  '<param><value><i4>1001</i4></value></param><param><value>PLESK-12-WEB-HOST</value></param>' +
  '<param><value><array><data><value>FT-POWER-PACK</value></data></array></value></param>';

test('validateLogin answers 100 on / and /xmlrpc, 200 for a wrong password', async (t) => {
  const ka = await startReferenceXmlRpcKa();
  t.is((await post(`${ka.url}/`, call('validateLogin', ''))).resultCode, 100);
  t.is((await post(`${ka.url}/xmlrpc`, call('validateLogin', ''))).resultCode, 100);
  const denied = await post(`${ka.url}/`, call('validateLogin', '', 'wrong'));
  t.is(denied.resultCode, 200);
  t.is(typeof denied.resultDesc, 'string');
  await ka.close();
});

test('createKey dispatches on arity: form A with untyped strings, then form B', async (t) => {
  const ka = await startReferenceXmlRpcKa();
  const a = await post(ka.url, call('createKey', createA));
  t.is(a.resultCode, 100);
  t.regex(String(a.mainKeyNumber), /^PLSK\.\d{8}\.\d{4}$/);
  t.regex(String(a.productKey), /^[A-Z0-9]{6}(-[A-Z0-9]{6}){4}$/);
  t.true(a.expirationDate instanceof Date);
  const b = await post(ka.url, call('createKey', `${createA}<param><value><string>purchase</string></value></param>`));
  t.is(b.resultCode, 100);
  t.is(ka.authority.getKey(String(b.mainKeyNumber)).billingType, 'PURCHASE');
  const wrong = await post(ka.url, call('createKey', '<param><value>x</value></param>'));
  t.is(wrong.fault, -32602);
  await ka.close();
});

test('getKeyNumbers answers 101 when no key matches the server address', async (t) => {
  const ka = await startReferenceXmlRpcKa();
  const address =
    '<param><value><struct><member><name>ips</name><value><array><data><value>198.51.100.77</value></data></array></value></member></struct></value></param>';
  const none = await post(ka.url, call('getKeyNumbers', address));
  t.is(none.resultCode, 101);
  t.deepEqual(none.keyNumbers, []);
  await post(ka.url, call('createKey', createA));
  const found = await post(ka.url, call('getKeyNumbers', address.replace('198.51.100.77', '192.0.2.10')));
  t.is(found.resultCode, 100);
  t.is((found.keyNumbers as unknown[]).length, 1);
  t.is(((found.keyInfos as XmlRpcStruct[])[0] as XmlRpcStruct).keyType, 'PLESK-12-WEB-HOST');
  await ka.close();
});

test('retrieveKey returns the key file as base64 and unknown keys answer 220', async (t) => {
  const ka = await startReferenceXmlRpcKa();
  const created = await post(ka.url, call('createKey', createA));
  const file = await post(ka.url, call('retrieveKey', `<param><value>${created.mainKeyNumber}</value></param>`));
  t.is(file.resultCode, 100);
  t.is(file.keyExtension, 'xml');
  t.true(Buffer.isBuffer(file.key) && file.key.toString('utf8').includes('openfusion-3'));
  const missing = await post(ka.url, call('retrieveKey', '<param><value>PLSK.99999999</value></param>'));
  t.is(missing.resultCode, 220);
  await ka.close();
});

test('hostile and malformed requests get faults, never a crash', async (t) => {
  const ka = await startReferenceXmlRpcKa();
  const bomb =
    '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaa">]><methodCall><methodName>&a;</methodName></methodCall>';
  t.is((await post(ka.url, bomb)).fault, -32700);
  t.is((await post(ka.url, '<methodCall><methodName>partner10.validateLogin')).fault, -32700);
  t.is((await post(ka.url, call('noSuchMethod', ''))).fault, -32601);
  const badAuth =
    '<methodCall><methodName>partner10.validateLogin</methodName><params><param><value>x</value></param></params></methodCall>';
  t.is((await post(ka.url, badAuth)).resultCode, 400);
  t.is((await post(ka.url, call('validateLogin', ''))).resultCode, 100);
  await ka.close();
});

test('the admin surface seeds accounts, arms faults and lists keys', async (t) => {
  const ka = await startReferenceXmlRpcKa();
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${ka.url}/_reference/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  t.is((await admin('POST', 'accounts', { login: 'other', password: 'pw', clientId: 9 })).status, 201);
  t.is(
    (
      await admin('POST', 'faults', {
        method: 'partner10.validateLogin',
        fault: { kind: 'result', code: 300 },
        times: 1,
      })
    ).status,
    201,
  );
  t.is((await post(ka.url, call('validateLogin', ''))).resultCode, 300);
  t.is((await post(ka.url, call('validateLogin', ''))).resultCode, 100);
  await post(ka.url, call('createKey', createA));
  const keys = (await (await admin('GET', 'keys')).json()) as Array<{ keyNumber: string }>;
  t.is(keys.length, 1);
  t.is((await admin('DELETE', 'faults')).status, 200);
  await ka.close();
});
