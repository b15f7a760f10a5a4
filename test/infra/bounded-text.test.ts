import test from 'ava';
import { boundedJson, clip } from '../../src/infra/db/bounded-text.js';

test('clip keeps a short text and cuts a long one to the limit, with a mark, never inside a surrogate pair', (t) => {
  t.is(clip('short', 10), 'short');
  const cut = clip('x'.repeat(600), 500);
  t.is(cut.length, 500);
  t.true(cut.endsWith('…'));
  const emoji = clip(`${'a'.repeat(498)}😀😀`, 500);
  t.true(emoji.length <= 500);
  t.notRegex(emoji, /[\uD800-\uDBFF]…$/);
});

test('boundedJson stores small values as they are and a huge one as a marked preview that fits', (t) => {
  t.is(boundedJson({ a: 1 }), '{"a":1}');
  t.is(boundedJson(null), null);
  const huge = boundedJson({ candidates: Array.from({ length: 20_000 }, (_, i) => `PLSK.${i}`) }, 1000);
  t.true(Buffer.byteLength(huge ?? '') <= 1000);
  t.like(JSON.parse(huge ?? '{}'), { truncated: true });
});
