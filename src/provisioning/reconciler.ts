import type { LicenseRequestStore } from '../features/license-requests/license-request-store.js';
import type { Db } from '../infra/db/database.js';
import type { LicensePipeline } from './license-pipeline.js';
import { workingStates } from './license-pipeline.js';

/**
 * Re-enqueues requests that the pipeline owes a move and whose job may be lost (Redis flushed
 * or restarted, a process killed). Safe to run anywhere, any number of times: job ids collapse
 * duplicates and the lease keeps two workers off one request.
 */
export class LicenseReconciler {
  constructor(
    private readonly db: Db,
    private readonly requests: LicenseRequestStore,
    private readonly pipeline: LicensePipeline,
    private readonly batchSize = 500,
  ) {}

  async run(): Promise<number> {
    const due = await this.requests.dueForWork(this.db, workingStates, this.batchSize);
    for (const r of due) await this.pipeline.enqueue(r.id, r.state, r.attempts);
    return due.length;
  }
}
