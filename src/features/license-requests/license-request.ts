/**
 * The states of a license request (DESIGN.md §2). `pending` waits for the subscription's
 * services; the pipeline moves `ready` on to `installed`; `needs_manual` waits for staff.
 */
export const licenseRequestStates = [
  'pending',
  'ready',
  'issuing',
  'key_issued',
  'files_retrieved',
  'installing',
  'installed',
  'needs_manual',
  'cancelled',
] as const;
export type LicenseRequestState = (typeof licenseRequestStates)[number];

export type LicenseRequestSource = 'order' | 'manual' | 'migration';

export interface LicenseRequest {
  id: number;
  subscriptionId: number | null;
  customerId: number | null;
  configurationId: number;
  serviceId: number | null;
  /** `migration`: a new key at another KA configuration replacing `predecessorLicenseId`. */
  source: LicenseRequestSource;
  product: string;
  features: string[];
  quantity: number;
  periodMonths: number | null;
  state: LicenseRequestState;
  reason: string | null;
  lastError: Record<string, unknown> | null;
  attempts: number;
  nextAttemptAt: string | null;
  issueSentAt: string | null;
  /** Keys the lookup after an unknown outcome could not settle between, for staff. */
  keyCandidates: KeyCandidateRecord[] | null;
  /**
   * Our reference at the KA for this request, stored with it: stable across retries and unique
   * across installations (`referenceOf`); requests made before installation ids keep theirs.
   */
  reference: string;
  /** A migration's request: the license its new key replaces (terminated once this one is installed). */
  predecessorLicenseId: number | null;
  createdAt: string;
  updatedAt: string;
}

/** One key a lookup found and could not settle, as stored and shown to staff. */
export interface KeyCandidateRecord {
  keyNumber: string;
  createdAt?: string;
  /** The reference the KA holds for the key, if any. */
  reference?: string;
}

/** Longest stored `reason` (the column's length). */
export const reasonMaxLength = 500;

/**
 * Our reference for a request at the KA: the installation id makes it unique across every
 * Keyway on one KA account (staging and production, whose request ids both count from 1).
 */
export function referenceOf(installationId: string, requestId: number): string {
  return `kw-${installationId}-${requestId}`;
}

/** The reference of requests made before installation ids: keys at the KA still carry it. */
export function legacyReferenceOf(requestId: number): string {
  return `keyway-request-${requestId}`;
}
