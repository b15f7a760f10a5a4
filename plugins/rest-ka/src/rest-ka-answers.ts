import { z } from 'zod';
import type { FarmActivation, IssuedKey, KaProduct, KeyInfo, UsageDay } from '../../../src/plugin-sdk/index.js';

const date = z.iso.datetime().transform((value) => new Date(value));

/** The `key` object of Partner API 3.0 (README.md, "Keys"). */
const key = z.object({
  keyNumber: z.string().min(1),
  fullKeyNumber: z.string().optional(),
  activationCode: z.string().optional(),
  externalId: z.string().optional(),
  product: z.string(),
  kind: z.enum(['MAIN', 'ADDITIONAL']),
  status: z.enum(['ACTIVE', 'GRACE', 'EXPIRED', 'SUSPENDED', 'TERMINATED']),
  periodMonths: z.number().int().positive().optional(),
  termKind: z.enum(['term', 'lease']).optional(),
  features: z.array(z.string()),
  additionalKeys: z.array(z.string()),
  createdAt: date,
  expiresAt: date,
  graceEndsAt: date.optional(),
  updatesUntil: date.nullable(),
  quotaUnit: z.string().optional(),
  quota: z.number().int().nonnegative().optional(),
  quotaReserved: z.number().int().nonnegative().optional(),
  parentKeyNumber: z.string().optional(),
  name: z.string().optional(),
  renewWithSubscription: z.boolean().optional(),
});
export type RestKey = z.infer<typeof key>;

const keyAnswer = z.object({ key });
const keyList = z.object({ keys: z.array(key) });
const fileAnswer = z.object({
  file: z.object({
    keyNumber: z.string().min(1),
    revision: z.string().optional(),
    fileName: z.string(),
    contentType: z.string().min(1),
    content: z.base64().min(1),
  }),
});
const productList = z.object({
  products: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string(),
      kind: z.enum(['MAIN', 'ADDITIONAL']),
      features: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  ),
});
const ping = z.object({ clientId: z.number() });
const activationList = z.object({
  activations: z.array(
    z.object({
      activationKey: z.string().min(1),
      farmName: z.string().optional(),
      status: z.enum(['active', 'deactivated']),
      serverId: z.string().optional(),
      appVersion: z.string().optional(),
      activatedAt: date.optional(),
      lastReportAt: date.optional(),
      peakUsage: z.number().int().nonnegative().optional(),
      overuseDeactivated: z.boolean().optional(),
      movesUsed: z.number().int().nonnegative().optional(),
      movesLeft: z.number().int().nonnegative().optional(),
    }),
  ),
});

const usageList = z.object({
  usage: z.array(
    z.object({
      keyNumber: z.string().min(1),
      day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      peak: z.number().int().nonnegative(),
      installationId: z.string().optional(),
      lastReportAt: date,
      quota: z.number().int().nonnegative().optional(),
    }),
  ),
});

/** Readers for `JsonApiClient.call`: each checks one answer's shape (a refusal is a protocol error). */
export const read = {
  key: (body: unknown): RestKey => keyAnswer.parse(body).key,
  keys: (body: unknown): RestKey[] => keyList.parse(body).keys,
  file: (body: unknown) => fileAnswer.parse(body).file,
  products: (body: unknown) => productList.parse(body).products,
  ping: (body: unknown) => ping.parse(body),
  activations: (body: unknown): FarmActivation[] => activationList.parse(body).activations,
  usage: (body: unknown): UsageDay[] => usageList.parse(body).usage,
};

export function issuedKey(value: RestKey): IssuedKey {
  return {
    keyNumber: value.keyNumber,
    fullKeyNumber: value.fullKeyNumber,
    productKey: value.activationCode,
    expiresAt: value.expiresAt,
    updatesUntil: value.updatesUntil,
    additionalKeyNumbers: value.additionalKeys,
    createdAt: value.createdAt,
    startsAt: value.createdAt,
    termKind: value.termKind,
    periodMonths: value.periodMonths,
    revision: value.fullKeyNumber?.startsWith(`${value.keyNumber}.`)
      ? value.fullKeyNumber.slice(value.keyNumber.length + 1)
      : undefined,
    keyType: value.kind === 'MAIN' ? 'primary' : 'additional',
    parentKeyNumber: value.parentKeyNumber,
    quotaUnit: value.quotaUnit,
    quota: value.quota,
    quotaReserved: value.quotaReserved,
    name: value.name,
    renewsWithSubscription: value.renewWithSubscription,
  };
}

export function keyInfo(value: RestKey): KeyInfo {
  return {
    ...issuedKey(value),
    product: value.product,
    terminated: value.status === 'TERMINATED',
    suspended: value.status === 'SUSPENDED',
    features: value.features,
    graceEndsAt: value.graceEndsAt,
  };
}

export function kaProduct(value: ReturnType<typeof read.products>[number]): KaProduct {
  return { id: value.id, name: value.name, features: value.features };
}
