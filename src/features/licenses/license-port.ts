import type { DbOrTx } from '../../infra/db/database.js';
import type { GuardedMove } from '../audit/transition.js';
import type {
  License,
  LicenseKeyType,
  LicenseQuota,
  LicenseStatus,
  LicenseSummary,
  LicenseTermKind,
} from './license.js';

/** A key's term as the KA answered it, and where Keyway keeps the real end of a lease's term. */
export interface LicenseTerm {
  startsAt?: number | null;
  /** The term's end (for a lease, the subscription's). */
  expiresAt: number | null;
  keyExpiresAt: number | null;
  updatesUntil?: number | null;
  termKind?: LicenseTermKind | null;
  periodMonths?: number | null;
  revision?: string | null;
  fullKeyNumber?: string | null;
  refreshDueAt?: number | null;
}

export interface NewLicense {
  requestId: number | null;
  configurationId: number;
  subscriptionId: number | null;
  customerId: number | null;
  keyNumber: string;
  fullKeyNumber?: string | null;
  productKey?: string | null;
  product: string;
  features: string[];
  additionalKeyNumbers: string[];
  source: 'online' | 'upload';
  expiresAt?: number | null;
  updatesUntil?: number | null;
  /** Where it starts: `issued` (a key, no files yet), or `files_retrieved` (made from uploaded files). */
  status?: 'issued' | 'files_retrieved';
  /** A migration's new license: the license it replaces. */
  predecessorLicenseId?: number | null;
  /** The key's term, where the KA told it. */
  term?: Omit<LicenseTerm, 'expiresAt' | 'updatesUntil' | 'fullKeyNumber'>;
  /** The key's quota facts, where the KA told them. */
  quota?: LicenseQuota;
  keyType?: LicenseKeyType | null;
  /** An additional key: its primary's license, its name and how it expires. */
  additional?: { parentLicenseId: number; name: string | null; renewsWithSubscription: boolean };
}

export interface NewLicenseFile {
  keyNumber: string;
  fileName: string;
  contentType: string;
  content: Buffer;
  revision?: string | null;
}

/**
 * What staff's hand-made licenses (the uploads feature) may do with licenses: find one, store
 * an uploaded key and its files, and move its status with a guarded move, each in the caller's
 * transaction with the request's transition. `LicenseStore` implements it; the composition root
 * hands it over, so the uploads feature never imports the store.
 */
export interface LicensePort {
  getByRequest(db: DbOrTx, requestId: number): Promise<License | undefined>;
  /** The license holding `keyNumber` in a KA configuration, if any: a key is one license. */
  findByKey(db: DbOrTx, configurationId: number, keyNumber: string): Promise<LicenseSummary | undefined>;
  insert(db: DbOrTx, input: NewLicense): Promise<LicenseSummary>;
  updateFromUpload(
    db: DbOrTx,
    id: number,
    input: Pick<NewLicense, 'keyNumber' | 'fullKeyNumber' | 'additionalKeyNumbers' | 'expiresAt' | 'updatesUntil'>,
  ): Promise<void>;
  /** Adds a set of files as the license's latest (older revisions are kept; the same set again adds nothing); answers whether one was added. `hasNone` when the caller knows it has none yet. */
  replaceFiles(
    db: DbOrTx,
    licenseId: number,
    files: NewLicenseFile[],
    options?: { hasNone?: boolean },
  ): Promise<boolean>;
  setStatus(id: number, from: LicenseStatus[], to: LicenseStatus, extra?: { installedAt?: number }): GuardedMove;
}
