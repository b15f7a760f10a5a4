// A license as every layer sees it: higher features name it from here, not from the store that writes it.
import type { LicenseSync } from './license-sync-state.js';

export type LicenseStatus = 'issued' | 'files_retrieved' | 'installed' | 'suspended' | 'terminated';

/** How the KA sells the key: a fixed term paid ahead, or a lease it renews itself (see `KeyTermKind`). */
export type LicenseTermKind = 'term' | 'lease';

export interface LicenseFileSummary {
  id: number;
  keyNumber: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  revision: string | null;
  createdAt: string;
}

export interface LicenseSummary {
  id: number;
  requestId: number | null;
  configurationId: number;
  subscriptionId: number | null;
  customerId: number | null;
  keyNumber: string;
  fullKeyNumber: string | null;
  productKey: string | null;
  product: string;
  features: string[];
  additionalKeyNumbers: string[];
  status: LicenseStatus;
  source: 'online' | 'upload';
  expiresAt: string | null;
  updatesUntil: string | null;
  installedAt: string | null;
  createdAt: string;
  /** Start of the term (as the KA says; else when the key was made). */
  startsAt: string | null;
  /** Fixed term or lease; null when the KA does not say (keys made before terms were known). */
  termKind: LicenseTermKind | null;
  /** The key's period: the term's months, or the lease's (1). */
  periodMonths: number | null;
  /** The key's own expiry at the KA: for a lease, the end of the current lease period (`expiresAt` is the term's end). */
  keyExpiresAt: string | null;
  /** The revision of the key's latest file, as the KA names it. */
  revision: string | null;
  /** When the file refresh next asks the KA for a new revision; null: nothing due. */
  refreshDueAt: string | null;
  /** Suspended in Keyway only: its KA plugin cannot suspend keys, so the key still works at the KA. */
  suspendedInKeywayOnly: boolean;
  /** How the license stood against its KA at its last sync (null state: never synced). */
  sync: LicenseSync;
  /**
   * The key's quota in `quotaUnit` as the KA answered it: a primary's whole quota (its
   * additional keys' reservations included), an additional key's reservation; null when the key
   * has none or the KA does not say.
   */
  quota: number | null;
  quotaUnit: string | null;
  /** Primary keys: how much of `quota` their additional keys reserve. */
  quotaReserved: number | null;
  /** `primary` or `additional` (a sublicense of `parentLicenseId`); null when the KA does not say. */
  keyType: LicenseKeyType | null;
  parentLicenseId: number | null;
  /** Additional keys: the name the customer gave it. */
  keyName: string | null;
  /** Additional keys: true when it has its primary's expiry and renews with the subscription. */
  renewsWithSubscription: boolean | null;
  /** How many times the quota went down (a plan allows it once). */
  decreasesUsed: number;
  /** The license this one replaced (a migration to another KA configuration). */
  predecessorLicenseId: number | null;
  /** The license that replaced this one (a migration): set once that one is installed. */
  successorLicenseId: number | null;
}

/** See `LicenseSummary.keyType`. */
export type LicenseKeyType = 'primary' | 'additional';

/** A key's quota facts as Keyway stores them from the KA's answer. */
export interface LicenseQuota {
  quota: number | null;
  quotaUnit: string | null;
  quotaReserved: number | null;
}

export interface License extends LicenseSummary {
  files: LicenseFileSummary[];
}
