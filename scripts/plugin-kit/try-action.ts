import { createHash } from 'node:crypto';
import type { KaAdapter, KaCapability, KaPluginDefinition, LicenseOrder } from '../../src/plugin-sdk/index.js';

/** The actions every adapter has, with the arguments each takes. */
const CORE_ACTIONS: Record<string, string> = {
  testConnection: '',
  issueKey: '<product> [quantity=1] [reference=kw-try-<time>] [periodMonths] [feature ...]',
  findKeyByRef: '<reference> [product]',
  retrieveFiles: '<keyNumber> [additionalKeyNumber ...]',
};

/** One per capability: a capability added to the SDK without an action here does not compile. */
const CAPABILITY_ACTIONS: Record<KaCapability, string> = {
  listProducts: '',
  getKeyInfo: '<keyNumber>',
  renew: '<keyNumber>',
  upgrade: '<keyNumber> <feature> [feature ...]',
  suspend: '<keyNumber>',
  resume: '<keyNumber>',
  terminate: '<keyNumber>',
  changeQuantity: '<keyNumber> <quantity>',
  createAdditionalKey: '<parentKeyNumber> <quota> [reference=kw-try-<time>] [name]',
  modifyAdditionalKey: '<keyNumber> <quota> [name]',
  deleteAdditionalKey: '<keyNumber>',
  listActivations: '<keyNumber>',
  deactivate: '<keyNumber> <activationKey> [activationKey ...]',
  fetchUsage: '<sinceIso> [keyNumber ...]',
};

/** Every action `plugin:try` knows, with its arguments. */
export const ACTIONS: Record<string, string> = { ...CORE_ACTIONS, ...CAPABILITY_ACTIONS };

/** The actions a plugin offers: the core ones and those its definition declares. */
export function actionsOf(definition: Pick<KaPluginDefinition, 'capabilities'>): Record<string, string> {
  return { ...CORE_ACTIONS, ...Object.fromEntries(definition.capabilities.map((c) => [c, CAPABILITY_ACTIONS[c]])) };
}

export class UsageError extends Error {}

function arg(args: string[], index: number, name: string): string {
  const value = args[index];
  if (!value) throw new UsageError(`missing ${name}`);
  return value;
}

function wholeNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`${name} must be a whole number`);
  return number;
}

function orderOf(
  product: string,
  reference: string,
  quantity = 1,
  periodMonths?: number,
  features: string[] = [],
): LicenseOrder {
  return { requestId: reference, reference, product, features, quantity, periodMonths };
}

/**
 * Run one action the plugin offers (`actionsOf`); answers something JSON can show (file
 * contents summarised). An action the plugin does not declare is a `UsageError`.
 */
export async function runAction(
  adapter: KaAdapter,
  definition: Pick<KaPluginDefinition, 'capabilities'>,
  action: string,
  args: string[],
): Promise<unknown> {
  if (!(action in actionsOf(definition))) {
    throw new UsageError(action in ACTIONS ? `this plugin does not declare ${action}` : `unknown action ${action}`);
  }
  const keyNumber = (): string => arg(args, 0, 'keyNumber');
  const optional = <K extends KaCapability>(name: K): NonNullable<KaAdapter[K]> => {
    const method = adapter[name];
    if (!method) throw new UsageError(`this plugin declares ${name} but its adapter has no ${name} method`);
    return method.bind(adapter) as NonNullable<KaAdapter[K]>;
  };
  switch (action) {
    case 'testConnection':
      return adapter.testConnection();
    case 'issueKey': {
      const order = orderOf(
        arg(args, 0, 'product'),
        args[2] ?? `kw-try-${Date.now().toString(36)}`,
        wholeNumber(args[1], 'quantity'),
        wholeNumber(args[3], 'periodMonths'),
        args.slice(4),
      );
      return adapter.issueKey(order);
    }
    case 'findKeyByRef':
      return adapter.findKeyByRef(orderOf(args[1] ?? '', arg(args, 0, 'reference')), new Date(0));
    case 'retrieveFiles': {
      const files = await adapter.retrieveFiles({ keyNumber: keyNumber(), additionalKeyNumbers: args.slice(1) });
      return files.map(({ content, ...file }) => ({
        ...file,
        size: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        preview: content.toString('utf8', 0, Math.min(content.length, 300)),
      }));
    }
    case 'listProducts':
      return optional('listProducts')();
    case 'getKeyInfo':
      return optional('getKeyInfo')(keyNumber());
    case 'renew':
      return optional('renew')(keyNumber());
    case 'upgrade':
      return optional('upgrade')(keyNumber(), args.slice(1).length ? args.slice(1) : [arg(args, 1, 'feature')]);
    case 'suspend':
      await optional('suspend')(keyNumber());
      return { suspended: keyNumber() };
    case 'resume':
      await optional('resume')(keyNumber());
      return { resumed: keyNumber() };
    case 'terminate':
      await optional('terminate')(keyNumber());
      return { terminated: keyNumber() };
    case 'changeQuantity':
      return optional('changeQuantity')(keyNumber(), {
        quantity: wholeNumber(arg(args, 1, 'quantity'), 'quantity') ?? 1,
      });
    case 'createAdditionalKey':
      return optional('createAdditionalKey')(keyNumber(), {
        quota: wholeNumber(arg(args, 1, 'quota'), 'quota') ?? 1,
        reference: args[2] ?? `kw-try-${Date.now().toString(36)}`,
        name: args[3],
      });
    case 'modifyAdditionalKey':
      return optional('modifyAdditionalKey')(keyNumber(), {
        quota: wholeNumber(arg(args, 1, 'quota'), 'quota'),
        name: args[2],
      });
    case 'deleteAdditionalKey':
      await optional('deleteAdditionalKey')(keyNumber());
      return { deleted: keyNumber() };
    case 'listActivations':
      return optional('listActivations')(keyNumber());
    case 'deactivate':
      await optional('deactivate')(keyNumber(), args.slice(1).length ? args.slice(1) : [arg(args, 1, 'activationKey')]);
      return { deactivated: args.slice(1) };
    case 'fetchUsage': {
      const since = new Date(arg(args, 0, 'sinceIso'));
      if (Number.isNaN(since.getTime())) throw new UsageError('sinceIso must be an ISO date-time');
      const keyNumbers = args.slice(1);
      return optional('fetchUsage')({ since, keyNumbers: keyNumbers.length ? keyNumbers : undefined });
    }
    default:
      throw new UsageError(`unknown action ${action}`);
  }
}
