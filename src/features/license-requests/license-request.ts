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
  /** Our reference at the KA for this request: stable across retries. */
  reference: string;
  createdAt: string;
  updatedAt: string;
}

export function referenceOf(requestId: number): string {
  return `keyway-request-${requestId}`;
}
