import type { ProductDefinition } from '../../../src/reference-ka/index.js';

/**
 * The key types the Partner API 3.0 reference server sells: containers counted per key, and the
 * additional key that reserves part of a key's containers.
 */
export const CONTAINER_PRODUCTS: ProductDefinition[] = [
  {
    id: 'VZ-CONTAINERS',
    name: 'Virtuozzo containers (quota of containers)',
    prefix: 'VZC',
    kind: 'MAIN',
    family: 'virtuozzo',
    versions: '7.*',
    termMonths: 12,
    updatesMonths: 12,
    limits: { containers: 1 },
    quotaLimit: 'containers',
    // Sold by the year only: a month is refused.
    periods: [12, 24, 36],
    graceDays: 14,
    features: [
      { id: 'FT-BACKUP', name: 'Backup', limits: {} },
      { id: 'FT-HA', name: 'High availability', limits: {} },
    ],
  },
  {
    id: 'VZ-CONTAINERS-RESERVED',
    name: 'Virtuozzo containers reserved (additional key)',
    prefix: 'VZCA',
    kind: 'ADDITIONAL',
    family: 'virtuozzo',
    versions: '7.*',
    termMonths: 12,
    updatesMonths: 12,
    limits: {},
    features: [],
    reserves: { containers: 1 },
    parents: ['VZ-CONTAINERS'],
  },
];

/**
 * A SaaS key type (000): concurrent users billed by the monthly usage its installations report;
 * a key that has not reported for 7 days expires (no grace). Sold month by month.
 */
export const SAAS_PRODUCTS: ProductDefinition[] = [
  {
    id: 'RAS-SAAS',
    name: 'Remote Application Server SaaS (concurrent users, billed by usage)',
    prefix: 'RASS',
    kind: 'MAIN',
    family: 'ras',
    versions: '19.*',
    termMonths: 1,
    updatesMonths: null,
    limits: { users: 1 },
    quotaLimit: 'users',
    periods: [1, 12],
    graceDays: 0,
    saas: true,
    features: [],
  },
];
