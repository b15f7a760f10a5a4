import test from 'ava';
import { allowedFrom, isLifecycleAction, resumedStatus } from '../../../src/features/licenses/lifecycle-rules.js';

test('a resumed license goes back to where it was: installed, or waiting for its install', (t) => {
  t.is(resumedStatus({ installedAt: '2030-01-01T00:00:00.000Z', files: [{}] }), 'installed');
  t.is(resumedStatus({ installedAt: null, files: [{}] }), 'files_retrieved');
  t.is(resumedStatus({ installedAt: null, files: [] }), 'issued');
});

test('each action starts only from the statuses that allow it', (t) => {
  t.false(allowedFrom.suspend.includes('suspended'));
  t.deepEqual(allowedFrom.resume, ['suspended']);
  t.false(allowedFrom.terminate.includes('terminated'));
  t.true(allowedFrom.terminate.includes('suspended'));
  // A renewal reinstalls, so it waits for the install.
  t.deepEqual(allowedFrom.renew, ['installed']);
  for (const from of Object.values(allowedFrom)) t.false(from.includes('terminated'));
});

test('only the four lifecycle actions are actions', (t) => {
  t.true(['suspend', 'resume', 'terminate', 'renew'].every(isLifecycleAction));
  t.false(isLifecycleAction('cancel'));
  t.false(isLifecycleAction('issue'));
});
