import type { ProductDefinition } from './authority-types.js';

/**
 * Subscription key types of the Parallels RAS kind, sold through the SOAP KA: a subscription
 * key counting concurrent users, and a sublicense that reserves part of its users.
 */
export const SUBSCRIPTION_PRODUCTS: ProductDefinition[] = [
  {
    id: 'RAS-SUBSCRIPTION',
    name: 'Remote Application Server subscription (concurrent users)',
    prefix: 'RAS',
    kind: 'MAIN',
    family: 'ras',
    versions: '19.*',
    termMonths: 12,
    updatesMonths: null,
    limits: { users: 1 },
    quotaLimit: 'users',
    periods: [1, 12, 24, 36],
    graceDays: 30,
    features: [{ id: 'FT-PREMIUM-SUPPORT', name: 'Premium support', limits: {} }],
  },
  {
    id: 'RAS-SUBLICENSE',
    name: 'Remote Application Server sublicense',
    prefix: 'RASA',
    kind: 'ADDITIONAL',
    family: 'ras',
    versions: '19.*',
    termMonths: 12,
    updatesMonths: null,
    limits: {},
    features: [],
    reserves: { users: 1 },
    parents: ['RAS-SUBSCRIPTION'],
  },
];
