import test from 'ava';
import {
  graceEndOf,
  type LicensePhase,
  licensePhases,
  phaseAt,
  termEndRangeOf,
} from '../../../src/features/licenses/license-phase.js';

const day = 86_400_000;
const end = Date.parse('2030-04-01T00:00:00Z');
const rules = { warningDays: 14 };

test('a primary key is active, expiring within the warning window, in grace for 30 days after its end, then lapsed', (t) => {
  t.is(phaseAt(end, end - 15 * day, rules), 'active');
  t.is(phaseAt(end, end - 14 * day, rules), 'expiring');
  t.is(phaseAt(end, end - 1, rules), 'expiring');
  t.is(phaseAt(end, end, rules), 'grace');
  t.is(phaseAt(end, end + 30 * day - 1, rules), 'grace');
  t.is(phaseAt(end, end + 30 * day, rules), 'lapsed');
  t.is(graceEndOf(end, { isAdditional: false }), end + 30 * day);
});

test('an additional key has no grace: it lapses when its term ends (seed 002)', (t) => {
  const additional = { isAdditional: true };
  t.is(phaseAt(end, end - day, rules, additional), 'expiring');
  t.is(phaseAt(end, end, rules, additional), 'lapsed');
  t.is(graceEndOf(end, additional), null);
});

test('a key without an expiry is always active; the warning window is the configured one', (t) => {
  t.is(phaseAt(null, end, rules), 'active');
  t.is(phaseAt(end, end - 20 * day, { warningDays: 30 }), 'expiring');
  t.is(phaseAt(end, end - 20 * day, { warningDays: 0 }), 'active');
});

test('a renewal that moves the end forward makes the phase active again, also from grace', (t) => {
  const now = end + 3 * day;
  t.is(phaseAt(end, now, rules), 'grace');
  t.is(phaseAt(Date.parse('2031-04-01T00:00:00Z'), now, rules), 'active');
});

test('the query range of each phase holds exactly the term ends phaseAt puts in it', (t) => {
  const now = end;
  const inRange = (phase: LicensePhase, termEnd: number | null) => {
    const r = termEndRangeOf(phase, now, rules);
    if (termEnd === null) return r.orNoEnd;
    return (r.after === undefined || termEnd > r.after) && (r.upTo === undefined || termEnd <= r.upTo);
  };
  const samples = [
    null,
    ...[-31, -30, -29, -1, 0, 1, 13, 14, 15, 400].flatMap((d) => [d * day - 1, d * day, d * day + 1]),
  ];
  for (const offset of samples) {
    const termEnd = offset === null ? null : now + offset;
    const phase = phaseAt(termEnd, now, rules);
    for (const other of licensePhases) t.is(inRange(other, termEnd), other === phase, `${other} at ${offset}`);
    const expired = termEndRangeOf('expired', now, rules);
    t.is(
      termEnd !== null && termEnd <= (expired.upTo as number),
      phase === 'grace' || phase === 'lapsed',
      `expired at ${offset}`,
    );
  }
});
