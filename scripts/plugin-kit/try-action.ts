import { createHash } from 'node:crypto';
import type { KaAdapter, LicenseOrder } from '../../src/plugin-sdk/index.js';

/** The actions `plugin:try` runs, with the arguments each takes. */
export const ACTIONS: Record<string, string> = {
  testConnection: '',
  listProducts: '',
  issueKey: '<product> [quantity=1] [reference=kw-try-<time>] [periodMonths]',
  findKeyByRef: '<reference> [product]',
  retrieveFiles: '<keyNumber> [additionalKeyNumber ...]',
  getKeyInfo: '<keyNumber>',
};

export class UsageError extends Error {}

function arg(args: string[], index: number, name: string): string {
  const value = args[index];
  if (!value) throw new UsageError(`missing ${name}`);
  return value;
}

function orderOf(product: string, reference: string, quantity = 1, periodMonths?: number): LicenseOrder {
  return { requestId: reference, reference, product, features: [], quantity, periodMonths };
}

/** Run one adapter action; answers something JSON can show (file contents summarised). */
export async function runAction(adapter: KaAdapter, action: string, args: string[]): Promise<unknown> {
  switch (action) {
    case 'testConnection':
      return adapter.testConnection();
    case 'listProducts':
      if (!adapter.listProducts) throw new UsageError('this plugin does not implement listProducts');
      return adapter.listProducts();
    case 'issueKey': {
      const quantity = args[1] ? Number(args[1]) : 1;
      if (!Number.isInteger(quantity) || quantity < 1) throw new UsageError('quantity must be a whole number');
      const period = args[3] ? Number(args[3]) : undefined;
      return adapter.issueKey(orderOf(arg(args, 0, 'product'), args[2] ?? `kw-try-${Date.now().toString(36)}`, quantity, period));
    }
    case 'findKeyByRef':
      return adapter.findKeyByRef(orderOf(args[1] ?? '', arg(args, 0, 'reference')), new Date(0));
    case 'retrieveFiles': {
      const files = await adapter.retrieveFiles({ keyNumber: arg(args, 0, 'keyNumber'), additionalKeyNumbers: args.slice(1) });
      return files.map(({ content, ...file }) => ({
        ...file,
        size: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        preview: content.toString('utf8', 0, Math.min(content.length, 300)),
      }));
    }
    case 'getKeyInfo':
      if (!adapter.getKeyInfo) throw new UsageError('this plugin does not implement getKeyInfo');
      return adapter.getKeyInfo(arg(args, 0, 'keyNumber'));
    default:
      throw new UsageError(`unknown action ${action}`);
  }
}
