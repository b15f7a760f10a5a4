import type { ExecutionContext, TestFn } from 'ava';
import type { IssuedKey } from '../ka-adapter.js';
import type { ConformanceKey, ConformanceOptions } from './conformance-types.js';
import { expectKaError, type Rig, withRig } from './conformance-rig.js';

/** To the second: some protocols carry no milliseconds. */
const sameInstant = (a: Date | null | undefined, b: Date | undefined): boolean =>
  a instanceof Date && b instanceof Date && Math.abs(a.getTime() - b.getTime()) < 1000;

function addMonths(date: Date, months: number): Date {
  // Calendar months in UTC, clamped to the month's end (Jan 31 + 1 month = Feb 28), as Keyway counts them.
  const next = new Date(date.getTime());
  const day = next.getUTCDate();
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  next.setUTCDate(Math.min(day, lastDay));
  return next;
}

async function keyAtKa(t: ExecutionContext, rig: Rig, keyNumber: string): Promise<ConformanceKey | undefined> {
  const key = (await rig.server.keysAtKa()).find((k) => k.keyNumber === keyNumber);
  t.truthy(key, `key ${keyNumber} must be at the KA`);
  return key;
}

/** The period the kit renews by; fails the test when the server does not give one. */
function renewPeriod(t: ExecutionContext, rig: Rig): number | undefined {
  const period = rig.server.renewPeriodMonths;
  if (period === undefined)
    t.fail('the plugin declares renew: give the test server a renewPeriodMonths (a period the product sells)');
  return period;
}

/** The term facts the adapter reported must be the KA's. */
function checkTermFacts(
  t: ExecutionContext,
  reported: IssuedKey,
  atKa: ConformanceKey | undefined,
  what: string,
  kindRequired = true,
): void {
  if (atKa?.expiresAt)
    t.true(
      sameInstant(reported.expiresAt, atKa.expiresAt),
      `${what} must report expiresAt, the expiry the KA answered (${atKa.expiresAt.toISOString()}), got ${String(reported.expiresAt?.toISOString?.())}`,
    );
  if (atKa?.termKind && (kindRequired || reported.termKind !== undefined))
    t.is(
      reported.termKind,
      atKa.termKind,
      `${what} must report termKind: "${atKa.termKind}" (a fixed term, or a lease the KA renews itself), as the KA sells the key`,
    );
  if (atKa?.revision && reported.revision !== undefined)
    t.is(reported.revision, atKa.revision, `${what} must report the revision of the key's file the KA holds now`);
}

/**
 * Terms and renewals: the key's term facts as the KA holds them, a renewal that adds the
 * period to the current expiry once, and a renewal whose answer is lost settled by reading the key.
 */
export function registerTermTests(test: TestFn, options: ConformanceOptions, title: (name: string) => string): void {
  const declares = (name: string): boolean => (options.definition.capabilities as string[]).includes(name);

  test.serial(title("issueKey reports the key's term facts as the KA holds them"), (t) =>
    withRig(t, options, async (rig) => {
      const key = await rig.adapter.issueKey(rig.order());
      checkTermFacts(t, key, await keyAtKa(t, rig, key.keyNumber), 'issueKey');
      if (declares('getKeyInfo') && rig.adapter.getKeyInfo) {
        const info = await rig.adapter.getKeyInfo(key.keyNumber);
        const atKa = await keyAtKa(t, rig, key.keyNumber);
        checkTermFacts(t, info, atKa, 'getKeyInfo');
        if (atKa?.revision)
          t.is(
            info.revision,
            atKa.revision,
            "getKeyInfo must report the revision of the key's file (IssuedKey.revision)",
          );
      }
    }),
  );

  if (!declares('renew')) return;

  test.serial(title('renew adds the period asked to the current expiry, once'), (t) =>
    withRig(t, options, async (rig) => {
      const { adapter } = rig;
      const period = renewPeriod(t, rig);
      const key = await adapter.issueKey(rig.order());
      const before = await keyAtKa(t, rig, key.keyNumber);
      if (!period || !before?.expiresAt || !adapter.renew)
        return t.fail('the plugin declares renew: the adapter needs a renew method, keysAtKa an expiresAt');
      const renewed = await adapter.renew(key.keyNumber, { periodMonths: period });
      const after = await keyAtKa(t, rig, key.keyNumber);
      const expected = addMonths(before.expiresAt, period);
      t.true(
        sameInstant(after?.expiresAt, expected),
        `renew must add the period to the current expiry (not to today) and send the period asked: ${period} months on ${before.expiresAt.toISOString()} is ${expected.toISOString()}, the KA says ${String(after?.expiresAt?.toISOString())}`,
      );
      // A renewal answer may not say how the key is sold (Partner API 1.0's does not): checked where it does.
      checkTermFacts(t, renewed, after, 'renew', false);
      if (before.revision && after?.revision)
        t.not(after.revision, before.revision, 'a renewal must leave the key with a new file revision at the KA');
      if (adapter.renewPeriods === 'fixed') {
        const other = period === 1 ? 12 : 1;
        const error = await expectKaError(
          t,
          adapter.renew(key.keyNumber, { periodMonths: other }),
          `an adapter whose renewPeriods is fixed, asked for ${other} months`,
        );
        t.is(error?.code, 'not_supported', 'a period the protocol cannot renew by must be refused as not_supported');
        t.false(error?.outcomeUnknown, 'refuse such a period before sending anything');
        t.true(
          sameInstant((await keyAtKa(t, rig, key.keyNumber))?.expiresAt, after?.expiresAt),
          'a refused renewal period must not change the key at the KA',
        );
      }
    }),
  );

  test.serial(title('a renewal whose answer is lost is settled by getKeyInfo'), (t) =>
    withRig(t, options, async (rig) => {
      const { adapter, server } = rig;
      const period = renewPeriod(t, rig);
      if (!declares('getKeyInfo') || !adapter.getKeyInfo)
        return t.fail(
          'the plugin declares renew but not getKeyInfo: a renewal whose outcome is unknown is settled by reading the key (expiry, revision); implement and declare getKeyInfo',
        );
      const key = await adapter.issueKey(rig.order());
      const before = await keyAtKa(t, rig, key.keyNumber);
      if (!period || !before?.expiresAt || !adapter.renew) return t.fail('the adapter needs a renew method');
      await server.injectFault('renew', { kind: 'drop' }, 1);
      const error = await expectKaError(
        t,
        adapter.renew(key.keyNumber, { periodMonths: period }),
        'renew when the connection drops after the request was sent',
      );
      t.true(
        error?.outcomeUnknown,
        'a renewal whose answer is lost must set outcomeUnknown: it may have happened, and must never be sent again blindly',
      );
      const after = await keyAtKa(t, rig, key.keyNumber);
      t.true(
        sameInstant(after?.expiresAt, addMonths(before.expiresAt, period)),
        'the test server must have renewed before dropping',
      );
      const info = await adapter.getKeyInfo(key.keyNumber);
      t.true(
        sameInstant(info.expiresAt, after?.expiresAt),
        'getKeyInfo must report the expiry the KA holds now, so Keyway can tell the lost renewal happened',
      );
      if (after?.revision)
        t.is(info.revision, after.revision, 'getKeyInfo must report the new file revision the renewal made');
    }),
  );
}
