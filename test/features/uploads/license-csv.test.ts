import test from 'ava';
import { csvCell } from '../../../src/features/licenses/license-csv.js';
import { contentDisposition } from '../../../src/features/licenses/license-routes.js';

test('CSV cells are quoted when needed and formulas are defused', (t) => {
  t.is(csvCell('PLSK.00000001'), 'PLSK.00000001');
  t.is(csvCell('a,b'), '"a,b"');
  t.is(csvCell('say "hi"'), '"say ""hi"""');
  t.is(csvCell('line\nbreak'), '"line\nbreak"');
  for (const lead of ['=', '+', '-', '@']) t.is(csvCell(`${lead}1+1`), `'${lead}1+1`);
  t.is(csvCell('=A1,B1'), `"'=A1,B1"`);
  t.is(csvCell(null), '');
  t.is(csvCell(['a', 'b']), 'a b');
});

test('Content-Disposition keeps an ASCII fallback and the exact UTF-8 name', (t) => {
  t.is(
    contentDisposition('PLSK.00000001.xml'),
    `attachment; filename="PLSK.00000001.xml"; filename*=UTF-8''PLSK.00000001.xml`,
  );
  t.is(
    contentDisposition('clé "x".xml'),
    `attachment; filename="cl_ _x_.xml"; filename*=UTF-8''cl%C3%A9%20%22x%22.xml`,
  );
});
