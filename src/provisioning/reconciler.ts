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
  /**
   * @param graceMs how overdue a request must be before it counts as lost: a queue with a
   *   backlog is not lost, and re-enqueueing it would only add duplicates.
   */
  constructor(
    private readonly db: Db,
    private readonly requests: LicenseRequestStore,
    private readonly pipeline: LicensePipeline,
    private readonly graceMs: number,
    private readonly now: () => number = Date.now,
    private readonly batchSize = 500,
  ) {}

  async run(): Promise<number> {
    const due = await this.requests.dueForWork(this.db, workingStates, this.batchSize, this.now() - this.graceMs);
    // A round-specific id: the step's own job id may belong to a job the queue lost track of
    // (Redis flushed while it ran), which would swallow a re-enqueue under the same id.
    const round = `r${Math.floor(this.now() / this.graceMs)}`;
    for (const r of due) await this.pipeline.enqueue(r.id, r.state, r.attempts, 0, round);
    return due.length;
  }
}
