import test from 'ava';
import {
  DEFAULT_MAX_XML_BYTES,
  decodeMethodCall,
  decodeMethodResponse,
  encodeFault,
  encodeMethodCall,
  encodeMethodResponse,
  XMLRPC_LIMITS,
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
  t.true(
    encodeMethodResponse(new Date('2026-11-22T00:00:00Z')).includes(
      '<dateTime.iso8601>20261122T00:00:00</dateTime.iso8601>',
    ),
  );
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
  [
    'wrong boolean',
    '<methodResponse><params><param><value><boolean>yes</boolean></value></param></params></methodResponse>',
  ],
  [
    'wrong date',
    '<methodResponse><params><param><value><dateTime.iso8601>tomorrow</dateTime.iso8601></value></param></params></methodResponse>',
  ],
  [
    'wrong base64',
    '<methodResponse><params><param><value><base64>!!!</base64></value></param></params></methodResponse>',
  ],
  ['unknown type', '<methodResponse><params><param><value><blob>x</blob></value></param></params></methodResponse>'],
  [
    'two types',
    '<methodResponse><params><param><value><int>1</int><string>x</string></value></param></params></methodResponse>',
  ],
  ['no params', '<methodResponse></methodResponse>'],
  [
    'text beside a type',
    '<methodResponse><params><param><value>x<int>1</int></value></param></params></methodResponse>',
  ],
  [
    'params and fault',
    `<methodResponse><params><param><value>1</value></param></params>${encodeFault(1, 'x').replace(/^.*<methodResponse>|<\/methodResponse>$/g, '')}</methodResponse>`,
  ],
  ['text between elements', '<methodResponse><params>stray<param><value>1</value></param></params></methodResponse>'],
  [
    'elements inside a scalar',
    '<methodResponse><params><param><value><string><b>x</b></string></value></param></params></methodResponse>',
  ],
  ['two roots', '<methodResponse><params><param><value>1</value></param></params></methodResponse><methodResponse/>'],
  [
    'struct member without name',
    '<methodResponse><params><param><value><struct><member><value>1</value></member></struct></value></param></params></methodResponse>',
  ],
  [
    'deep nesting',
    `<methodResponse><params><param><value>${'<array><data><value>'.repeat(200)}x${'</value></data></array>'.repeat(200)}</value></param></params></methodResponse>`,
  ],
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

test('each parse limit stops the document and says which limit it was', async (t) => {
  const wrap = (inner: string): string =>
    `<methodResponse><params><param><value>${inner}</value></param></params></methodResponse>`;
  const cases: Array<[string, string]> = [
    ['maxDepth', wrap(`${'<array><data><value>'.repeat(30)}x${'</value></data></array>'.repeat(30)}`)],
    ['maxElements', wrap(`<array><data>${'<value/>'.repeat(XMLRPC_LIMITS.maxElements)}</data></array>`)],
    [
      'maxElements',
      wrap(`<string${Array.from({ length: XMLRPC_LIMITS.maxElements }, (_, i) => ` a${i}=""`).join('')}>x</string>`),
    ],
    ['maxTextLength', wrap(`<base64>${'QUJD'.repeat(XMLRPC_LIMITS.maxTextLength / 4 + 1)}</base64>`)],
    ['maxBytes', wrap('x'.repeat(DEFAULT_MAX_XML_BYTES))],
  ];
  for (const [limit, body] of cases) {
    const error = await t.throwsAsync(decodeMethodResponse(body), { instanceOf: XmlRpcFormatError });
    t.is(error?.limit, limit);
    t.regex(error?.message ?? '', /limit/);
  }
  const malformed = await t.throwsAsync(decodeMethodResponse('<methodResponse>'), { instanceOf: XmlRpcFormatError });
  t.is(malformed?.limit, undefined);
});

test('a document within the limits parses at their edge', async (t) => {
  const levels = Math.floor((XMLRPC_LIMITS.maxDepth - 5) / 3);
  const deep = `<methodResponse><params><param><value>${'<array><data><value>'.repeat(levels)}x${'</value></data></array>'.repeat(levels)}</value></param></params></methodResponse>`;
  let value = (await decodeMethodResponse(deep)) as { value: unknown };
  for (let level = 0; level < levels; level++) value = { value: (value.value as unknown[])[0] };
  t.is(value.value, 'x');
  const text = 'k'.repeat(XMLRPC_LIMITS.maxTextLength);
  t.deepEqual(await decodeMethodResponse(encodeMethodResponse(text)), { kind: 'result', value: text });
});

test('a long document is parsed in slices: the event loop runs before the parse ends', async (t) => {
  const body = encodeMethodResponse(Array.from({ length: 20_000 }, (_, i) => i));
  let ranDuringParse = false;
  setImmediate(() => {
    ranDuringParse = true;
  });
  const decoded = await decodeMethodResponse(body);
  t.true(ranDuringParse);
  t.is((decoded as { value: unknown[] }).value.length, 20_000);
});

test('values XML cannot carry are refused when encoding', (t) => {
  t.throws(() => encodeMethodCall('m', [Number.NaN]), { instanceOf: XmlRpcFormatError });
  t.throws(() => encodeMethodCall('m', ['bell\u0007']), { instanceOf: XmlRpcFormatError });
});
