import { AuthorityError, type KeyRecord, type LicenseAuthority } from '../../../src/reference-ka/index.js';
import type { RestErrorCode } from './rest-ka-error-codes.js';

/** A refusal in the protocol's own terms, for the ones the authority has no code for. */
export class RestRefusal extends Error {
  constructor(
    readonly code: RestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RestRefusal';
  }
}

/** A request body or query as the front parsed it. */
export type Input = Record<string, unknown>;

/** What an operation gets: the partner's client id, the JSON body and the path's key number. */
export interface OperationContext {
  authority: LicenseAuthority;
  clientId: number;
  body: Input;
  query: URLSearchParams;
  keyNumber: string;
}

/** `status` 200 unless given. */
export type Operation = (context: OperationContext) => { status?: number; body: unknown };

const invalid = (message: string): AuthorityError => new AuthorityError('bad_request', message);

function text(input: Input, name: string, required = false): string | undefined {
  const value = input[name];
  if (value === undefined || value === null || value === '') {
    if (required) throw invalid(`${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  return value;
}

function integer(input: Input, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value)) throw invalid(`${name} must be a whole number`);
  return value as number;
}

function strings(input: Input, name: string): string[] {
  const value = input[name] ?? [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw invalid(`${name} must be a list of strings`);
  return value as string[];
}

function date(input: Input, name: string): Date | undefined {
  const value = text(input, name);
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw invalid(`${name} must be an ISO date-time`);
  return parsed;
}

/** A key's quota facts: a primary's whole quota and what is reserved of it, a sublicense's reservation. */
function quotaView(authority: LicenseAuthority, key: KeyRecord): Record<string, unknown> {
  const product = authority.getProduct(key.productId);
  if (key.kind === 'MAIN') {
    if (!product.quotaLimit) return {};
    return {
      quotaUnit: product.quotaLimit,
      quota: Number(key.limits[product.quotaLimit] ?? 0),
      quotaReserved: authority.reservedQuota(key.keyNumber),
    };
  }
  const [unit, quota] = Object.entries(key.reserves ?? product.reserves ?? {})[0] ?? [];
  return unit === undefined ? {} : { quotaUnit: unit, quota };
}

/** A key as Partner API 3.0 shows it (README.md, "Keys"). */
export function keyView(authority: LicenseAuthority, key: KeyRecord): Record<string, unknown> {
  return {
    ...quotaView(authority, key),
    parentKeyNumber: key.parentKeyNumber,
    name: key.name,
    renewWithSubscription: key.kind === 'ADDITIONAL' ? Boolean(key.renewWithParent) : undefined,
    keyNumber: key.keyNumber,
    fullKeyNumber: `${key.keyNumber}.${key.revision}`,
    activationCode: key.productKey,
    externalId: key.externalId,
    product: key.productId,
    kind: key.kind,
    status: authority.keyStatus(key.keyNumber).toUpperCase(),
    quantity: key.quota,
    periodMonths: key.periodMonths,
    termKind: key.termKind,
    features: key.features,
    additionalKeys: key.additionalKeyNumbers,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt.toISOString(),
    graceEndsAt: authority.graceEnd(key).toISOString(),
    updatesUntil: key.updatesUntil?.toISOString() ?? null,
  };
}

const keyAnswer = (authority: LicenseAuthority, key: KeyRecord) => ({
  body: { key: keyView(authority, authority.getKey(key.keyNumber)) },
});

export type OperationName =
  | 'ping'
  | 'listProducts'
  | 'createKey'
  | 'findKeys'
  | 'getKey'
  | 'retrieveKey'
  | 'renewKey'
  | 'addFeatures'
  | 'suspendKey'
  | 'resumeKey'
  | 'terminateKey'
  | 'changeQuantity'
  | 'createAdditionalKey'
  | 'modifyAdditionalKey'
  | 'deleteAdditionalKey'
  | 'listActivations'
  | 'deactivate'
  | 'listUsage';

function activationsView(authority: LicenseAuthority, clientId: number, keyNumber: string) {
  return {
    activations: authority.farmsOf(keyNumber, clientId).map(({ activationKey, farm, moves, movesLeft }) => ({
      activationKey,
      farmName: farm.farmName,
      status: farm.status,
      serverId: farm.serverId,
      appVersion: farm.appVersion,
      activatedAt: farm.activatedAt.toISOString(),
      deactivatedAt: farm.deactivatedAt?.toISOString(),
      lastReportAt: farm.lastReportAt.toISOString(),
      peakUsage: farm.peakUsage,
      overuseDeactivated: farm.overuseDeactivated === true,
      movesUsed: moves,
      movesLeft,
    })),
  };
}

/** Partner API 3.0's operations over the authority, by the names faults are armed under. */
export const OPERATIONS: Record<OperationName, Operation> = {
  ping: ({ authority, clientId }) => ({ body: { clientId, serverTime: authority.now().toISOString() } }),

  listProducts: ({ authority }) => ({
    body: {
      products: authority.listProducts().map((p) => ({
        id: p.id,
        name: p.name,
        kind: p.kind,
        quotaUnit: p.quotaLimit,
        features: p.features.map((f) => ({ id: f.id, name: f.name })),
      })),
    },
  }),

  createKey: ({ authority, clientId, body }) => {
    const productId = text(body, 'product', true) as string;
    const externalId = text(body, 'externalId');
    const quantity = integer(body, 'quantity');
    // A key type with a quota cannot be sold without one: the order's quantity must come.
    if (authority.getProduct(productId).quotaLimit && quantity === undefined) {
      throw new RestRefusal('QUANTITY_REQUIRED', `${productId} keys are sold with a quantity`);
    }
    const before = externalId ? authority.findKeysByExternalId(externalId, clientId).map((k) => k.keyNumber) : [];
    const server = (body.server ?? undefined) as Input | undefined;
    const { main } = authority.createKey(clientId, {
      productId,
      externalId,
      quota: quantity,
      periodMonths: integer(body, 'periodMonths'),
      features: strings(body, 'features'),
      server: server ? { ips: strings(server, 'ips'), macs: strings(server, 'macs') } : undefined,
    });
    return { status: before.includes(main.keyNumber) ? 200 : 201, ...keyAnswer(authority, main) };
  },

  /** Keys whose external id starts with the one asked for (a prefix search, as documented). */
  findKeys: ({ authority, clientId, query }) => {
    const prefix = query.get('externalId');
    if (!prefix) throw invalid('externalId is required');
    const keys = authority.listKeys().filter((k) => k.clientId === clientId && k.externalId?.startsWith(prefix));
    return { body: { keys: keys.map((k) => keyView(authority, k)) } };
  },

  getKey: ({ authority, clientId, keyNumber }) => keyAnswer(authority, authority.getKey(keyNumber, clientId)),

  retrieveKey: ({ authority, clientId, keyNumber }) => {
    const file = authority.keyFile(keyNumber, clientId);
    const contentType = file.extension === 'xml' ? 'application/xml' : 'application/octet-stream';
    const revision = file.fullKeyNumber.slice(file.keyNumber.length + 1);
    return {
      body: {
        file: {
          keyNumber: file.keyNumber,
          revision,
          fileName: `${file.keyNumber}.${file.extension}`,
          contentType,
          content: file.content.toString('base64'),
        },
      },
    };
  },

  /** From the current expiry; `startFrom: "now"` starts the new period today instead (a lapsed key's fresh start). */
  renewKey: ({ authority, clientId, keyNumber, body }) => {
    const startFrom = text(body, 'startFrom') ?? 'expiry';
    if (startFrom !== 'expiry' && startFrom !== 'now') throw invalid('startFrom must be expiry or now');
    const months = integer(body, 'periodMonths');
    return keyAnswer(authority, authority.renewKey(clientId, keyNumber, months, { startNow: startFrom === 'now' }));
  },

  addFeatures: ({ authority, clientId, keyNumber, body }) => {
    const features = strings(body, 'features');
    if (features.length === 0) throw invalid('features must name at least one feature');
    return keyAnswer(authority, authority.upgradeKey(clientId, keyNumber, features).key);
  },

  suspendKey: ({ authority, clientId, keyNumber }) =>
    keyAnswer(authority, authority.setSuspended(clientId, keyNumber, true).key),

  resumeKey: ({ authority, clientId, keyNumber }) =>
    keyAnswer(authority, authority.setSuspended(clientId, keyNumber, false).key),

  changeQuantity: ({ authority, clientId, keyNumber, body }) => {
    const quantity = integer(body, 'quantity');
    if (quantity === undefined) throw invalid('quantity is required');
    return keyAnswer(authority, authority.changeQuota(clientId, keyNumber, quantity));
  },

  createAdditionalKey: ({ authority, clientId, keyNumber, body }) => {
    const quota = integer(body, 'quota');
    if (quota === undefined) throw invalid('quota is required');
    const expiresAt = date(body, 'expiresAt');
    const renews = body.renewWithSubscription;
    if (renews !== undefined && typeof renews !== 'boolean') throw invalid('renewWithSubscription must be a boolean');
    if (expiresAt && renews === true) throw invalid('give expiresAt or renewWithSubscription, not both');
    const key = authority.createAdditionalKey(clientId, keyNumber, {
      quota,
      name: text(body, 'name'),
      externalId: text(body, 'externalId'),
      expiresAt,
      renewWithParent: expiresAt ? false : (renews ?? true),
    });
    return { status: 201, ...keyAnswer(authority, key) };
  },

  modifyAdditionalKey: ({ authority, clientId, keyNumber, body }) =>
    keyAnswer(
      authority,
      authority.modifyAdditionalKey(clientId, keyNumber, { quota: integer(body, 'quota'), name: text(body, 'name') }),
    ),

  deleteAdditionalKey: ({ authority, clientId, keyNumber }) =>
    keyAnswer(authority, authority.deleteAdditionalKey(clientId, keyNumber).key),

  listActivations: ({ authority, clientId, keyNumber }) => ({ body: activationsView(authority, clientId, keyNumber) }),

  /** Frees each activation key named (the key or one of its additional keys) of its farm. */
  deactivate: ({ authority, clientId, keyNumber, body }) => {
    const activationKeys = strings(body, 'activationKeys');
    if (activationKeys.length === 0) throw invalid('activationKeys must name at least one key');
    const own = new Set(authority.farmsOf(keyNumber, clientId).map((f) => f.activationKey));
    const key = authority.getKey(keyNumber, clientId);
    for (const number of [key.keyNumber, ...key.additionalKeyNumbers]) own.add(number);
    const numbers = activationKeys.map((k) => authority.getKey(k, clientId).keyNumber);
    const stranger = numbers.find((n) => !own.has(n));
    if (stranger) throw new AuthorityError('permission_denied', `${stranger} is not ${keyNumber} or one of its keys`);
    for (const number of numbers) authority.deactivateKey(clientId, number);
    return { body: activationsView(authority, clientId, keyNumber) };
  },

  /** `GET /30/usage?since=<ISO>&keys=<k1,k2>`: the day peaks reported since then (README.md, "Usage"). */
  listUsage: ({ authority, clientId, query }) => {
    const since = new Date(query.get('since') ?? '');
    if (Number.isNaN(since.getTime())) throw invalid('since must be an ISO date-time');
    const keys = query.get('keys');
    const days = authority.usageSince(clientId, since, keys ? keys.split(',').filter(Boolean) : undefined);
    return {
      body: {
        usage: days.map((d) => ({
          keyNumber: d.keyNumber,
          day: d.day,
          peak: d.peak,
          installationId: d.serverId,
          lastReportAt: d.lastReportAt.toISOString(),
          quota: d.quota,
        })),
      },
    };
  },

  terminateKey: ({ authority, clientId, keyNumber }) => {
    const { key } = authority.terminateKey(clientId, keyNumber);
    for (const child of key.additionalKeyNumbers) authority.terminateKey(clientId, child);
    return keyAnswer(authority, key);
  },
};
