// A license as every layer sees it: higher features name it from here, not from the store that writes it.

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
  /** The license this one replaced (a migration to another KA configuration). */
  predecessorLicenseId: number | null;
  /** The license that replaced this one (a migration): set once that one is installed. */
  successorLicenseId: number | null;
}

export interface License extends LicenseSummary {
  files: LicenseFileSummary[];
}
