import type { DbOrTx } from '../../infra/db/database.js';
import type { LicenseRequestWriter, NewLicenseRequest } from './license-request-port.js';

/** License requests in memory, for unit tests of what creates them. */
export class FakeLicenseRequestStore implements LicenseRequestWriter {
  readonly requests = new Map<number, NewLicenseRequest & { id: number }>();

  async insert(_db: DbOrTx, input: NewLicenseRequest): Promise<number> {
    const id = this.requests.size + 1;
    this.requests.set(id, { ...input, id });
    return id;
  }
}
