import type { AuthorityAccount, ProductDefinition } from './authority-types.js';

/** A partner account for demos and tests. Not a real credential anywhere. */
export const DEMO_ACCOUNT: AuthorityAccount = { login: 'demo-partner', password: 'demo-password', clientId: 1001 };

const plesk = { prefix: 'plesk-unified', uri: 'http://parallels.com/schemas/keys/products/plesk/unified/multi' };

/** Key types for demos and tests: two Plesk editions, two add-ons with reserved quota. */
export const DEMO_PRODUCTS: ProductDefinition[] = [
  {
    id: 'PLESK-12-WEB-HOST',
    name: 'Plesk 12 Web Host Edition',
    prefix: 'PLSK',
    kind: 'MAIN',
    family: 'plesk',
    keyNamespace: plesk,
    versions: '12.*',
    termMonths: 1,
    updatesMonths: null,
    limits: { domains: 30, clients: 10, mailnames: 100, 'expiration-date-grace': false },
    features: [
      { id: 'FT-POWER-PACK', name: 'Power Pack', limits: {} },
      { id: 'FT-100-DOMAINS', name: '100 more domains', limits: { domains: 100 } },
    ],
  },
  {
    id: 'PLESK-12-WEB-PRO',
    name: 'Plesk 12 Web Pro Edition',
    prefix: 'PLSK',
    kind: 'MAIN',
    family: 'plesk',
    keyNamespace: plesk,
    versions: '12.*',
    termMonths: 12,
    updatesMonths: 12,
    limits: { domains: 30, clients: 0, mailnames: 300 },
    features: [{ id: 'FT-POWER-PACK', name: 'Power Pack', limits: {} }],
  },
  {
    id: 'KAV-ADDON',
    name: 'Kaspersky Anti-Virus for 50 mailboxes',
    prefix: 'EXT',
    kind: 'ADDITIONAL',
    family: 'kav',
    versions: '8.*',
    termMonths: 1,
    updatesMonths: null,
    limits: { mailboxes: 50 },
    features: [],
    reserves: { mailnames: 50 },
    parents: ['PLESK-12-WEB-HOST', 'PLESK-12-WEB-PRO'],
  },
  {
    id: 'APS-LANGUAGE-PACK',
    name: 'Language pack',
    prefix: 'APS',
    kind: 'ADDITIONAL',
    family: 'aps',
    versions: '1.*',
    termMonths: 1,
    updatesMonths: null,
    limits: { languages: 5 },
    features: [],
  },
];
