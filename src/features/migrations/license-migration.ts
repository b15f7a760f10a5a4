import type { Actor } from '../../kernel/actor.js';

/**
 * The steps of a license's migration to another KA configuration, each a guarded move:
 * - `scheduled`: waits for the customer's renewal on the new server (a migration at renewal);
 * - `requested`: the new license request exists; the pipeline issues, fetches and installs it;
 * - `terminating`: the new license is installed; the old key's terminate operation runs;
 * - `migrated`: the old key is terminated; done;
 * - `failed`: the new request was cancelled (by staff) before it was installed; the old key stays.
 */
export const migrationStates = ['scheduled', 'requested', 'terminating', 'migrated', 'failed'] as const;
export type MigrationState = (typeof migrationStates)[number];

/** States in which a migration holds its license: no other migration may start on it. */
export const openMigrationStates: MigrationState[] = ['scheduled', 'requested', 'terminating'];

/** The cause worker-run operations made by a migration carry (`license_operations.cause_type`). */
export const migrationCause = 'migration';

export interface LicenseMigration {
  id: number;
  /** The license moved away (the predecessor). */
  licenseId: number;
  targetConfigurationId: number;
  targetProduct: string;
  quantity: number;
  periodMonths: number | null;
  state: MigrationState;
  atRenewal: boolean;
  /** The new license request (source `migration`), once made. */
  requestId: number | null;
  /** The new license (the successor), once installed. */
  newLicenseId: number | null;
  /** The old key's worker-run terminate operation, once made. */
  terminateOperationId: number | null;
  bulkJobId: number | null;
  bulkItemId: number | null;
  actor: Actor;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** What a migration is asked with: the target and the product map old → new. */
export interface MigrationTarget {
  targetConfigurationId: number;
  productMap: Record<string, string>;
  /** Wait for the customer's renewal on the new server (seed 003) instead of moving now. */
  atRenewal?: boolean;
}
