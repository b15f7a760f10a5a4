import type { ExecutionContext } from 'ava';
import type { KaAdapter, KeyInfo } from '../ka-adapter.js';
import type { KaCapability } from '../plugin-definition.js';
import { atKa, type Check, knob, method } from './capability-helpers.js';
import { expectKaError, type Rig } from './conformance-rig.js';

type QuotaAndFarmCapability = Extract<
  KaCapability,
  | 'changeQuantity'
  | 'createAdditionalKey'
  | 'modifyAdditionalKey'
  | 'deleteAdditionalKey'
  | 'listActivations'
  | 'deactivate'
  | 'fetchUsage'
>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** `getKeyInfo`, which every quota capability needs to settle a lost answer and show the quota. */
function keyInfoOf(
  t: ExecutionContext,
  adapter: KaAdapter,
  capability: KaCapability,
): (key: string) => Promise<KeyInfo> {
  if (typeof adapter.getKeyInfo !== 'function') {
    t.fail(`${capability} needs getKeyInfo too (the quota it shows, and how a lost answer is settled): declare it`);
    throw new Error('no getKeyInfo');
  }
  return adapter.getKeyInfo.bind(adapter);
}

/** The ordered quota: the kit needs room for an additional key and a refusal (3 or more). */
function orderedQuota(t: ExecutionContext, rig: Rig, capability: KaCapability): number {
  const quota = rig.server.orderTerms.quantity ?? 1;
  if (quota < 3) t.fail(`the plugin declares ${capability}: give the kit's server orderTerms.quantity of 3 or more`);
  return quota;
}

const reference = (what: string): string => `kw-conformance-${what}-${Math.random().toString(36).slice(2, 8)}`;

/** Checks of the quota and farm capabilities (issue 15), each against what the KA holds. */
export const QUOTA_AND_FARM_CHECKS: Record<QuotaAndFarmCapability, Check> = {
  changeQuantity: async (t, rig, key) => {
    const info = keyInfoOf(t, rig.adapter, 'changeQuantity');
    const quantity = orderedQuota(t, rig, 'changeQuantity') + 3;
    const changed = await method(
      t,
      rig.adapter,
      'changeQuantity',
    )(key.keyNumber, { quantity, reference: reference('q') });
    t.is(
      (await atKa(t, rig, key.keyNumber))?.quantity,
      quantity,
      `changeQuantity must set the key's quota to the quantity asked (${quantity}) at the KA (keysAtKa must report quantity)`,
    );
    if (changed.quota !== undefined) t.is(changed.quota, quantity, 'changeQuantity must answer the new quota');
    t.is((await info(key.keyNumber)).quota, quantity, 'getKeyInfo must show the quota after changeQuantity');
  },

  createAdditionalKey: async (t, rig, key) => {
    const info = keyInfoOf(t, rig.adapter, 'createAdditionalKey');
    const additionalAtKa = knob(t, rig.server, 'additionalKeysAtKa', 'createAdditionalKey');
    const quota = orderedQuota(t, rig, 'createAdditionalKey');
    const create = method(t, rig.adapter, 'createAdditionalKey');
    const ref = reference('sub');
    const sub = await create(key.keyNumber, { quota: 1, name: 'Kit sublicense', reference: ref });
    const held = (await additionalAtKa(key.keyNumber)).find((k) => k.keyNumber === sub.keyNumber);
    t.is(held?.quantity, 1, 'createAdditionalKey must reserve the quota asked for the new key at the KA');
    t.like(
      sub,
      { keyType: 'additional', parentKeyNumber: key.keyNumber },
      'createAdditionalKey must answer keyType additional and the parentKeyNumber',
    );
    t.is(
      (await info(key.keyNumber)).quotaReserved,
      1,
      'getKeyInfo must show what additional keys reserve (quotaReserved)',
    );
    const before = (await additionalAtKa(key.keyNumber)).length;
    const refused = await expectKaError(
      t,
      create(key.keyNumber, { quota, reference: reference('sub-over') }),
      'an additional key past what the primary has left must be refused',
    );
    t.is(refused?.code, 'business_rule', 'a quota that does not fit is a business_rule refusal');
    t.is(
      refused?.quota?.remaining,
      quota - 1,
      "a refused additional key must name what is left in KaError.quota.remaining (from the KA's structured answer)",
    );
    t.is((await additionalAtKa(key.keyNumber)).length, before, 'a refused additional key must not exist at the KA');
    // An expiry of its own reaches the KA, and an additional key has no grace after it (002).
    const expiresAt = new Date(Math.ceil((Date.now() + 10 * DAY_MS) / 1000) * 1000);
    const dated = await create(key.keyNumber, { quota: 1, expiresAt, reference: reference('sub-dated') });
    const datedAtKa = (await additionalAtKa(key.keyNumber)).find((k) => k.keyNumber === dated.keyNumber);
    t.true(
      Math.abs((datedAtKa?.expiresAt?.getTime() ?? 0) - expiresAt.getTime()) < 1000,
      'createAdditionalKey must send expiresAt: the key has that expiry at the KA',
    );
    const datedInfo = await info(dated.keyNumber);
    if (datedInfo.graceEndsAt instanceof Date && datedInfo.expiresAt instanceof Date)
      t.true(
        datedInfo.graceEndsAt.getTime() <= datedInfo.expiresAt.getTime() + 1000,
        'an additional key has no grace: its graceEndsAt is its expiresAt',
      );
    if (rig.server.advanceClock) {
      await rig.server.advanceClock(11 * DAY_MS);
      await expectKaError(
        t,
        rig.adapter.retrieveFiles({ keyNumber: dated.keyNumber, additionalKeyNumbers: [] }),
        'an additional key past its expiry has no grace: its file must be refused',
      );
    }
  },

  modifyAdditionalKey: async (t, rig, key) => {
    const info = keyInfoOf(t, rig.adapter, 'modifyAdditionalKey');
    const additionalAtKa = knob(t, rig.server, 'additionalKeysAtKa', 'modifyAdditionalKey');
    const quota = orderedQuota(t, rig, 'modifyAdditionalKey');
    const create = method(t, rig.adapter, 'createAdditionalKey');
    const sub = await create(key.keyNumber, { quota: 1, reference: reference('sub') });
    const modify = method(t, rig.adapter, 'modifyAdditionalKey');
    await modify(sub.keyNumber, { quota: 2, name: 'Kit renamed' });
    const held = (await additionalAtKa(key.keyNumber)).find((k) => k.keyNumber === sub.keyNumber);
    t.is(held?.quantity, 2, 'modifyAdditionalKey must set the quota asked at the KA');
    if (held?.name !== undefined) t.is(held.name, 'Kit renamed', 'modifyAdditionalKey must rename the key at the KA');
    t.is((await info(key.keyNumber)).quotaReserved, 2, 'getKeyInfo must show the new reservation');
    const refused = await expectKaError(
      t,
      modify(sub.keyNumber, { quota: quota + 1 }),
      'a reservation past what the primary has left must be refused',
    );
    t.is(
      refused?.quota?.remaining,
      quota,
      'a refused quota must name what is left for this key (besides its own reservation) in KaError.quota.remaining',
    );
  },

  deleteAdditionalKey: async (t, rig, key) => {
    const info = keyInfoOf(t, rig.adapter, 'deleteAdditionalKey');
    const additionalAtKa = knob(t, rig.server, 'additionalKeysAtKa', 'deleteAdditionalKey');
    const activate = knob(t, rig.server, 'activateFarm', 'deleteAdditionalKey');
    const farmsAtKa = knob(t, rig.server, 'farmsAtKa', 'deleteAdditionalKey');
    const sub = await method(
      t,
      rig.adapter,
      'createAdditionalKey',
    )(key.keyNumber, {
      quota: 1,
      reference: reference('sub'),
    });
    await activate(sub.keyNumber, { serverId: 'kit-sub-server' });
    await method(t, rig.adapter, 'deleteAdditionalKey')(sub.keyNumber);
    t.false(
      (await additionalAtKa(key.keyNumber)).some((k) => k.keyNumber === sub.keyNumber),
      'deleteAdditionalKey must delete the additional key at the KA',
    );
    t.is((await info(key.keyNumber)).quotaReserved, 0, "a deleted additional key's quota returns to the primary");
    t.true(
      (await farmsAtKa(key.keyNumber))
        .filter((f) => f.activationKey === sub.keyNumber)
        .every((f) => f.status !== 'active'),
      'deleting an additional key must deactivate its farm',
    );
  },

  listActivations: async (t, rig, key) => {
    const activate = knob(t, rig.server, 'activateFarm', 'listActivations');
    await activate(key.keyNumber, { serverId: 'kit-server-1', farmName: 'Kit farm', appVersion: '7.7.7', usage: 4 });
    if (rig.server.advanceClock) await rig.server.advanceClock(45 * 60 * 1000);
    const farms = await method(t, rig.adapter, 'listActivations')(key.keyNumber);
    t.is(farms.length, 1, 'listActivations must list the farm activated with the key');
    const [farm] = farms;
    t.like(
      farm,
      {
        activationKey: key.keyNumber,
        status: 'active',
        serverId: 'kit-server-1',
        farmName: 'Kit farm',
        appVersion: '7.7.7',
        movesUsed: 0,
        movesLeft: 3,
      },
      'listActivations must report each farm as the KA holds it: activation key (the key number), status, server id, name, version, moves used and left',
    );
    if (farm?.peakUsage !== undefined) t.is(farm.peakUsage, 4, 'listActivations must report the peak usage');
    if (rig.server.advanceClock && farm?.activatedAt && farm.lastReportAt)
      t.true(
        farm.lastReportAt.getTime() >= farm.activatedAt.getTime() + 40 * 60 * 1000,
        'listActivations must report the latest report date (farms report every 20 minutes)',
      );
  },

  fetchUsage: async (t, rig, key) => {
    const activate = knob(t, rig.server, 'activateFarm', 'fetchUsage');
    const since = new Date(Date.now() - DAY_MS);
    await activate(key.keyNumber, { serverId: 'kit-server-u', usage: 3 });
    if (rig.server.advanceClock) await rig.server.advanceClock(45 * 60 * 1000);
    const days = await method(t, rig.adapter, 'fetchUsage')({ since, keyNumbers: [key.keyNumber] });
    const mine = days.filter((d) => d.keyNumber === key.keyNumber);
    t.true(mine.length >= 1, 'fetchUsage must answer a day for a key whose farm reported since `since`');
    t.true(
      mine.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.day) && d.lastReportAt instanceof Date),
      'fetchUsage must name each day as YYYY-MM-DD (UTC) with its last report time as a Date',
    );
    t.is(Math.max(...mine.map((d) => d.peak)), 3, "fetchUsage must answer the day's peak usage the farm reported");
  },

  deactivate: async (t, rig, key) => {
    const activate = knob(t, rig.server, 'activateFarm', 'deactivate');
    const farmsAtKa = knob(t, rig.server, 'farmsAtKa', 'deactivate');
    const deactivate = method(t, rig.adapter, 'deactivate');
    await activate(key.keyNumber, { serverId: 'kit-server-0' });
    await deactivate(key.keyNumber, [key.keyNumber]);
    t.true(
      (await farmsAtKa(key.keyNumber)).every((f) => f.status === 'deactivated'),
      'deactivate must deactivate the farm at the KA',
    );
    await deactivate(key.keyNumber, [key.keyNumber]);
    // Freed, the key moves to another installation, three times at most.
    for (const server of ['kit-server-1', 'kit-server-2', 'kit-server-3']) {
      await activate(key.keyNumber, { serverId: server }).catch(() =>
        t.fail(`deactivate must free the key: the KA refused to activate it on ${server}`),
      );
      if (server !== 'kit-server-3') await deactivate(key.keyNumber, [key.keyNumber]);
    }
    if (typeof rig.adapter.listActivations === 'function') {
      const latest = (await rig.adapter.listActivations(key.keyNumber)).find((f) => f.status === 'active');
      t.like(
        latest,
        { movesUsed: 3, movesLeft: 0 },
        'after 3 moves listActivations must say so (movesUsed 3, movesLeft 0)',
      );
    }
    await deactivate(key.keyNumber, [key.keyNumber]);
    const fourth = await activate(key.keyNumber, { serverId: 'kit-server-4' }).then(
      () => 'activated',
      () => 'refused',
    );
    t.is(fourth, 'refused', 'a key moves at most 3 times: the KA must refuse a fourth');
  },
};
