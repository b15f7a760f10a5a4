import test from 'ava';
import { ValidationError } from '../../../src/errors/app-error.js';
import { newRequestBody, newUploadFields } from '../../../src/features/uploads/manual-license-routes.js';
import { settleBody } from '../../../src/features/licenses/license-routes.js';
import { validate } from '../../../src/http/validate.js';
import { formInput, parseForm } from '../../../src/web/form-input.js';

const fieldsOf = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    if (err instanceof ValidationError)
      return ((err.details?.fields ?? []) as Array<{ field: string; message: string }>).map((f) => [
        f.field,
        f.message,
      ]);
    throw err;
  }
  return [];
};

test('a form reads as the JSON body the API takes: numbers, lists, booleans; empty optional fields are absent', (t) => {
  t.deepEqual(
    formInput(newRequestBody, {
      mode: 'request',
      configurationId: '3',
      product: 'PLESK',
      features: 'a, b,,c',
      subscriptionId: '',
      _csrf: 'x',
    }),
    { mode: 'request', configurationId: 3, product: 'PLESK', features: ['a', 'b', 'c'] },
  );
  t.deepEqual(formInput(settleBody, { applied: 'yes', note: 'seen', expiresAt: '' }), { applied: true, note: 'seen' });
  t.deepEqual(formInput(settleBody, { applied: 'no', note: '' }), { applied: false, note: '' });
});

test('a form and the API body refuse alike, with the same messages', (t) => {
  // An id written another way stays text, and is refused at its field as the API refuses it.
  for (const id of ['03', ' 3', '+3', '3e0'])
    t.deepEqual(
      fieldsOf(() => parseForm(newRequestBody, { mode: 'request', configurationId: id, product: 'P' })).map(([f]) => f),
      ['configurationId'],
      id,
    );
  t.deepEqual(
    fieldsOf(() => parseForm(newUploadFields, { configurationId: '3', subscriptionId: '01' })).map(([f]) => f),
    ['subscriptionId'],
  );
  t.deepEqual(
    fieldsOf(() => parseForm(settleBody, { applied: 'yes', note: '  ' })),
    fieldsOf(() => validate(settleBody, { applied: true, note: '  ' })),
  );
  t.deepEqual(
    fieldsOf(() => parseForm(settleBody, { applied: 'yes', note: '' })),
    [['note', 'Say what you checked at the KA.']],
  );
});
