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

export interface LicenseRequest {
  id: number;
  subscriptionId: number | null;
  customerId: number | null;
  configurationId: number;
  serviceId: number | null;
  source: 'order' | 'manual';
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
  /** Our reference at the KA for this request: stable across retries. */
  reference: string;
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

export function referenceOf(requestId: number): string {
  return `keyway-request-${requestId}`;
}
