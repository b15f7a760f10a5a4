import type { DbOrTx } from '../../infra/db/database.js';
import type { LicenseRequestWriter, NewLicenseRequest } from './license-request-port.js';
import type { LicenseRequest } from './license-request.js';

/** License requests in memory, for unit tests of what creates them. */
export class FakeLicenseRequestStore implements LicenseRequestWriter {
  readonly requests = new Map<number, NewLicenseRequest & { id: number }>();

  async insertMany(db: DbOrTx, inputs: readonly NewLicenseRequest[]): Promise<LicenseRequest[]> {
    const written: LicenseRequest[] = [];
    for (const input of inputs) written.push(await this.insert(db, input));
    return written;
  }

  async insert(_db: DbOrTx, input: NewLicenseRequest): Promise<LicenseRequest> {
    const id = this.requests.size + 1;
    this.requests.set(id, { ...input, id });
    const at = new Date(0).toISOString();
    return {
      ...input,
      id,
      predecessorLicenseId: input.predecessorLicenseId ?? null,
      reason: null,
      lastError: null,
      attempts: 0,
      nextAttemptAt: null,
      issueSentAt: null,
      keyCandidates: null,
      reference: `fake-${id}`,
      createdAt: at,
      updatedAt: at,
    };
  }
}
