import type { DbOrTx } from '../../infra/db/database.js';
import type { GuardedMove } from '../audit/transition.js';
import type {
  KeyCandidateRecord,
  LicenseRequest,
  LicenseRequestSource,
  LicenseRequestState,
} from './license-request.js';

// What the features above may do with license requests. `LicenseRequestStore` implements each
// port; the composition root hands it over, so no feature imports the store.

export interface NewLicenseRequest {
  subscriptionId: number | null;
  customerId: number | null;
  configurationId: number;
  serviceId: number | null;
  source: LicenseRequestSource;
  product: string;
  features: string[];
  quantity: number;
  periodMonths: number | null;
  state: LicenseRequestState;
  /** A migration's request: the license it replaces. */
  predecessorLicenseId?: number | null;
}

/** Fields a transition may set beside the state. */
export interface TransitionPatch {
  reason?: string | null;
  lastError?: Record<string, unknown> | null;
  attempts?: number;
  nextAttemptAt?: number | null;
  issueSentAt?: number | null;
  keyCandidates?: KeyCandidateRecord[] | null;
  /** Clears the lease in the same update: the job holding it ends with this transition. */
  releaseLease?: true;
}

/** Creates license requests: what a payment writes of the license-requests feature. */
export interface LicenseRequestWriter {
  /** Inserts the request with its reference (made of the installation id and the new id); answers it as written. */
  insert(db: DbOrTx, input: NewLicenseRequest): Promise<LicenseRequest>;
  /** `insert` for many, in a few statements; answers them as written, in the inputs' order. */
  insertMany(db: DbOrTx, inputs: readonly NewLicenseRequest[]): Promise<LicenseRequest[]>;
}

/**
 * What the features that act on a request (licenses, uploads) may do with it: read it, create
 * one, and move it with a guarded transition, which the caller applies with its audit event in
 * its own transaction.
 */
export interface LicenseRequestPort extends LicenseRequestWriter {
  get(db: DbOrTx, id: number): Promise<LicenseRequest | undefined>;
  /** Whether the pipeline is working on any request of the configuration now (ready to installing): what a sync yields to. */
  hasWorking(db: DbOrTx, configurationId: number): Promise<boolean>;
  /** Moves the request to another customer or subscription (a license's transfer), with its license. */
  reassign(db: DbOrTx, id: number, owner: { customerId: number; subscriptionId: number | null }): Promise<void>;
  /** Moves the request only if it is still in `from`; see `LicenseRequestStore.transition`. */
  transition(
    id: number,
    from: LicenseRequestState | LicenseRequestState[],
    to: LicenseRequestState,
    patch?: TransitionPatch,
  ): GuardedMove;
}
