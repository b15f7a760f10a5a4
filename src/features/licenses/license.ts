// A license as every layer sees it: higher features name it from here, not from the store that writes it.

export type LicenseStatus = 'issued' | 'files_retrieved' | 'installed' | 'suspended' | 'terminated';

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
}

export interface License extends LicenseSummary {
  files: LicenseFileSummary[];
}
