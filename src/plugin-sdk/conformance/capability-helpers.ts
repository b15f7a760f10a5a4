import type { ExecutionContext } from 'ava';
import type { IssuedKey, KaAdapter } from '../ka-adapter.js';
import type { KaCapability } from '../plugin-definition.js';
import type { Rig } from './conformance-rig.js';
import type { ConformanceKey, ConformanceServer } from './conformance-types.js';

/** One declared capability's check, on a key the kit just issued. */
export type Check = (t: ExecutionContext, rig: Rig, key: IssuedKey) => Promise<void>;

/** The key as the KA has it now; fails the test when the KA does not list it. */
export async function atKa(t: ExecutionContext, rig: Rig, keyNumber: string): Promise<ConformanceKey | undefined> {
  const key = (await rig.server.keysAtKa()).find((k) => k.keyNumber === keyNumber);
  t.truthy(key, `key ${keyNumber} must be at the KA`);
  return key;
}

/** The declared capability's method, bound; fails the test when the adapter lacks it. */
export function method<K extends KaCapability>(
  t: ExecutionContext,
  adapter: KaAdapter,
  name: K,
): NonNullable<KaAdapter[K]> {
  const found = adapter[name];
  if (typeof found !== 'function') t.fail(`the definition declares ${name}, but the adapter has no ${name} method`);
  return (typeof found === 'function' ? found.bind(adapter) : async () => undefined) as NonNullable<KaAdapter[K]>;
}

/** A server knob a check needs; fails the test, naming it, when the kit's server lacks it. */
export function knob<K extends keyof ConformanceServer>(
  t: ExecutionContext,
  server: ConformanceServer,
  name: K,
  capability: KaCapability,
): NonNullable<ConformanceServer[K]> {
  const found = server[name];
  if (typeof found !== 'function') {
    t.fail(`the plugin declares ${capability}: give the kit's server ${String(name)} (see ConformanceServer)`);
    throw new Error(`the kit's server has no ${String(name)}`);
  }
  return found.bind(server) as NonNullable<ConformanceServer[K]>;
}
