import type { TestFn } from 'ava';
import type { KaCapability } from '../plugin-definition.js';
import { atKa, type Check, method } from './capability-helpers.js';
import type { ConformanceOptions } from './conformance-types.js';
import { withRig } from './conformance-rig.js';
import { QUOTA_AND_FARM_CHECKS } from './quota-farm-checks.js';

/**
 * One check per capability, each proving the action happened at the KA. A capability added to
 * the SDK without a check here does not compile.
 */
const CHECKS: Record<KaCapability, Check> = {
  listProducts: async (t, { adapter, server }) => {
    const products = await method(t, adapter, 'listProducts')();
    t.true(
      products.some((p) => p.id === server.product),
      `listProducts must list the KA's products, ${server.product} among them`,
    );
  },
  getKeyInfo: async (t, { adapter, server }, key) => {
    const info = await method(t, adapter, 'getKeyInfo')(key.keyNumber);
    t.is(info.keyNumber, key.keyNumber, 'getKeyInfo must describe the key asked for');
    t.is(info.product, server.product, "getKeyInfo must name the key's product");
    t.false(info.terminated, 'getKeyInfo says a live key is terminated');
  },
  renew: async (t, rig, key) => {
    const before = (await atKa(t, rig, key.keyNumber))?.expiresAt;
    t.true(before instanceof Date, 'keysAtKa must report expiresAt for the kit to check renew');
    const renewed = await method(t, rig.adapter, 'renew')(key.keyNumber);
    const after = (await atKa(t, rig, key.keyNumber))?.expiresAt;
    t.true(Boolean(before && after && after > before), 'renew must extend the key at the KA: its expiry did not move');
    // To the second: some protocols carry no milliseconds.
    const answered = renewed.expiresAt?.getTime();
    if (answered !== undefined)
      t.true(Math.abs(answered - (after?.getTime() ?? 0)) < 1000, 'renew must answer the new expiry the KA set');
  },
  upgrade: async (t, rig, key) => {
    const feature = rig.server.upgradeFeature;
    if (!feature) return t.fail('the plugin declares upgrade: give the test server an upgradeFeature to add');
    await method(t, rig.adapter, 'upgrade')(key.keyNumber, [feature]);
    t.true(
      (await atKa(t, rig, key.keyNumber))?.features?.includes(feature),
      `upgrade must add ${feature} to the key at the KA (keysAtKa must report features)`,
    );
  },
  suspend: async (t, rig, key) => {
    await method(t, rig.adapter, 'suspend')(key.keyNumber);
    t.is(
      (await atKa(t, rig, key.keyNumber))?.suspended,
      true,
      'suspend must suspend the key at the KA (keysAtKa must report suspended)',
    );
  },
  resume: async (t, rig, key) => {
    await method(t, rig.adapter, 'suspend')(key.keyNumber);
    await method(t, rig.adapter, 'resume')(key.keyNumber);
    t.is(
      (await atKa(t, rig, key.keyNumber))?.suspended,
      false,
      'resume must make a suspended key active again at the KA (keysAtKa must report suspended)',
    );
  },
  terminate: async (t, rig, key) => {
    await method(t, rig.adapter, 'terminate')(key.keyNumber);
    t.is(
      (await atKa(t, rig, key.keyNumber))?.terminated,
      true,
      'terminate must terminate the key at the KA (keysAtKa must report terminated)',
    );
  },
  ...QUOTA_AND_FARM_CHECKS,
};

/** Every capability the definition declares is exercised against the KA. */
export function registerCapabilityTests(
  test: TestFn,
  options: ConformanceOptions,
  title: (name: string) => string,
): void {
  for (const capability of options.definition.capabilities) {
    test.serial(title(`declared ${capability} works at the KA`), (t) =>
      withRig(t, options, async (rig) => {
        const key = await rig.adapter.issueKey(rig.order());
        try {
          await CHECKS[capability](t, rig, key);
        } catch (error) {
          t.fail(
            `declared ${capability} failed at the KA (${String((error as Error)?.message)}): check the call it makes (method, path or operation, arguments) against the KA's documentation`,
          );
        }
      }),
    );
  }
}
