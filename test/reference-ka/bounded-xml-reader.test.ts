import test from 'ava';
import { readXml, type XmlLimits, XmlReadError } from '../../src/plugin-sdk/index.js';

const roomy: XmlLimits = { maxBytes: 1024 * 1024, maxDepth: 16, maxElements: 1000, maxTextLength: 1000 };

test('events come in document order with attributes, decoded entities and CDATA', async (t) => {
  const seen: string[] = [];
  await readXml('<?xml version="1.0"?><a x="1"><b>1 &lt; 2</b><![CDATA[<raw>]]><c/></a>', roomy, {
    open: (name, attributes) => seen.push(`open ${name} ${JSON.stringify(attributes)}`),
    text: (text) => seen.push(`text ${text}`),
    close: (name) => seen.push(`close ${name}`),
  });
  t.deepEqual(seen, [
    'open a {"x":"1"}',
    'open b {}',
    'text 1 < 2',
    'close b',
    'text <raw>',
    'open c {}',
    'close c',
    'close a',
  ]);
});

test('each limit stops the read at its first excess and is named', async (t) => {
  const cases: Array<[keyof XmlLimits, string]> = [
    ['maxBytes', `<a>${'x'.repeat(2000)}</a>`],
    ['maxDepth', `${'<a>'.repeat(17)}${'</a>'.repeat(17)}`],
    ['maxElements', `<a>${'<b/>'.repeat(1000)}</a>`],
    ['maxElements', `<a ${Array.from({ length: 1000 }, (_, i) => `n${i}="v"`).join(' ')}/>`],
    ['maxTextLength', `<a>${'x'.repeat(1001)}</a>`],
  ];
  for (const [limit, xml] of cases) {
    let opened = 0;
    const error = await t.throwsAsync(
      readXml(xml, { ...roomy, maxBytes: limit === 'maxBytes' ? 1000 : roomy.maxBytes }, { open: () => void opened++ }),
      { instanceOf: XmlReadError },
    );
    t.is(error?.limit, limit);
    t.true(opened <= 1000, 'nothing past the limit is reported');
  }
});

test('DOCTYPE, broken and empty documents are refused without naming a limit', async (t) => {
  for (const xml of ['<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', '<a><b></a>', '', '   ', 'text']) {
    const error = await t.throwsAsync(readXml(xml, roomy), { instanceOf: XmlReadError });
    t.is(error?.limit, undefined, JSON.stringify(xml));
  }
});

test('a handler that throws stops the read with its own error', async (t) => {
  const stop = new Error('not this element');
  const error = await t.throwsAsync(
    readXml('<a><b/></a>', roomy, {
      open: (name) => {
        if (name === 'b') throw stop;
      },
    }),
  );
  t.is(error, stop);
});

test('a long document is read in slices, letting the event loop run', async (t) => {
  let ran = false;
  setImmediate(() => {
    ran = true;
  });
  await readXml(`<a>${'<b>x</b>'.repeat(20_000)}</a>`, { ...roomy, maxElements: 30_000 });
  t.true(ran);
});
