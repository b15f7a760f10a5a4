import test from 'ava';
import {
  decodeMethodCall,
  decodeMethodResponse,
  encodeFault,
  encodeMethodCall,
  encodeMethodResponse,
  type XmlRpcValue,
  XmlRpcFormatError,
} from '../src/xmlrpc-codec.js';

const every: XmlRpcValue = {
  int: 42,
  negative: -7,
  double: 3.25,
  bigNumber: 2 ** 40,
  yes: true,
  no: false,
  text: 'a < b & "c" > d',
  empty: '',
  unicode: 'Grüße, 鍵',
  date: new Date('2026-11-22T00:00:00Z'),
  bytes: Buffer.from([0, 1, 2, 250, 255]),
  nothing: null,
  list: [1, 'two', [3], { four: 4 }],
  emptyList: [],
  emptyStruct: {},
  nested: { deeper: { deepest: ['x'] } },
};

test('every value type survives a call and a response round trip', async (t) => {
  const call = await decodeMethodCall(encodeMethodCall('partner10.test', [every, 'second']));
  t.is(call.methodName, 'partner10.test');
  t.deepEqual(call.params, [every, 'second']);
  const response = await decodeMethodResponse(encodeMethodResponse(every));
  t.deepEqual(response, { kind: 'result', value: every });
});

test('dates use the compact ISO form', (t) => {
  t.true(encodeMethodResponse(new Date('2026-11-22T00:00:00Z')).includes('<dateTime.iso8601>20261122T00:00:00</dateTime.iso8601>'));
});

test('untyped values, i4, nil and extended dates are read as a real KA sends them', async (t) => {
  const xml = `<?xml version="1.0"?>
<methodResponse><params><param><value><struct>
  <member><name>resultCode</name><value><i4>100</i4></value></member>
  <member><name>resultDesc</name><value>Key created</value></member>
  <member><name>blank</name><value></value></member>
  <member><name>when</name><value><dateTime.iso8601>2026-11-22T10:11:12Z</dateTime.iso8601></value></member>
  <member><name>none</name><value><nil/></value></member>
  <member><name>list</name><value><array><data>
    <value>plain</value><value><string> padded </string></value>
  </data></array></value></member>
</struct></value></param></params></methodResponse>`;
  const response = await decodeMethodResponse(xml);
  t.deepEqual(response, {
    kind: 'result',
    value: {
      resultCode: 100,
      resultDesc: 'Key created',
      blank: '',
      when: new Date('2026-11-22T10:11:12Z'),
      none: null,
      list: ['plain', ' padded '],
    },
  });
});

test('faults are decoded, not thrown', async (t) => {
  t.deepEqual(await decodeMethodResponse(encodeFault(-32601, 'no such method')), {
    kind: 'fault',
    code: -32601,
    message: 'no such method',
  });
});

test('a struct member named __proto__ stays plain data', async (t) => {
  const xml =
    '<methodResponse><params><param><value><struct><member><name>__proto__</name><value><struct><member><name>polluted</name><value>yes</value></member></struct></value></member></struct></value></param></params></methodResponse>';
  const response = await decodeMethodResponse(xml);
  t.is(({} as Record<string, unknown>).polluted, undefined);
  t.is(response.kind, 'result');
});

const hostile: Array<[string, string | Buffer]> = [
  [
    'billion laughs',
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><methodResponse><params><param><value>&lol3;</value></param></params></methodResponse>',
  ],
  [
    'external entity',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodResponse><params><param><value>&xxe;</value></param></params></methodResponse>',
  ],
  ['undeclared entity', '<methodResponse><params><param><value>&xxe;</value></param></params></methodResponse>'],
  ['truncated', '<methodResponse><params><param><value><struct><member><name>resultCode</name><value><int>1'],
  ['empty', ''],
  ['not xml', 'HTTP/1.1 200 OK but not XML at all'],
  ['html', '<html><body>Bad gateway</body></html>'],
  ['wrong int', '<methodResponse><params><param><value><int>twelve</int></value></param></params></methodResponse>'],
  ['wrong boolean', '<methodResponse><params><param><value><boolean>yes</boolean></value></param></params></methodResponse>'],
  ['wrong date', '<methodResponse><params><param><value><dateTime.iso8601>tomorrow</dateTime.iso8601></value></param></params></methodResponse>'],
  ['wrong base64', '<methodResponse><params><param><value><base64>!!!</base64></value></param></params></methodResponse>'],
  ['unknown type', '<methodResponse><params><param><value><blob>x</blob></value></param></params></methodResponse>'],
  ['two types', '<methodResponse><params><param><value><int>1</int><string>x</string></value></param></params></methodResponse>'],
  ['no params', '<methodResponse></methodResponse>'],
  ['struct member without name', '<methodResponse><params><param><value><struct><member><value>1</value></member></struct></value></param></params></methodResponse>'],
  ['deep nesting', `<methodResponse><params><param><value>${'<array><data><value>'.repeat(200)}x${'</value></data></array>'.repeat(200)}</value></param></params></methodResponse>`],
  ['huge body', Buffer.alloc(5 * 1024 * 1024, 'a')],
];

for (const [name, body] of hostile) {
  test(`hostile response refused cleanly: ${name}`, async (t) => {
    await t.throwsAsync(decodeMethodResponse(body), { instanceOf: XmlRpcFormatError });
  });
}

test('a request with a DOCTYPE is refused even without entities', async (t) => {
  await t.throwsAsync(
    decodeMethodCall('<?xml version="1.0"?><!DOCTYPE methodCall><methodCall><methodName>x</methodName></methodCall>'),
    { instanceOf: XmlRpcFormatError },
  );
});

test('the size limit is configurable', async (t) => {
  const body = encodeMethodResponse('x'.repeat(2000));
  await t.throwsAsync(decodeMethodResponse(body, 1000), { instanceOf: XmlRpcFormatError });
  t.is((await decodeMethodResponse(body, 10_000)).kind, 'result');
});

test('values XML cannot carry are refused when encoding', (t) => {
  t.throws(() => encodeMethodCall('m', [Number.NaN]), { instanceOf: XmlRpcFormatError });
  t.throws(() => encodeMethodCall('m', ['bell\u0007']), { instanceOf: XmlRpcFormatError });
});
