import type { Config } from '../../config/config.js';
import type { AuditStore } from '../../features/audit/audit-store.js';
import type { TransitionEventWriter } from '../../features/audit/transition.js';
import type { KaConfigurationService } from '../../features/ka-configurations/ka-configuration-service.js';
import { operationJob } from '../../features/licenses/license-operation-jobs.js';
import type { LicenseStore } from '../../features/licenses/license-store.js';
import type { WorkedOperationStore } from '../../features/licenses/worked-operation-store.js';
import type { Db } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Logger } from '../../infra/log/logger.js';
import type { AdapterCache } from '../adapter-cache.js';
import { LicenseOperationWork } from './license-operation-work.js';
import type { OperationKind } from './operation-kind.js';

/** What the composition root hands the worker-run license operations. */
export interface OperationWiring {
  config: Config;
  logger: Logger;
  db: Db;
  queue: JobQueue;
  clock: () => number;
  operations: WorkedOperationStore;
  licenses: LicenseStore;
  audit: AuditStore;
  events: TransitionEventWriter;
  configurations: KaConfigurationService;
  /** The pipeline's adapters, so an operation and a request of one configuration share connections. */
  adapters: AdapterCache;
  /** Every kind the workers run (`renew`, ...). */
  kinds: OperationKind[];
}

/** Builds the machine of worker-run license operations (every process enqueues; workers run). */
export function createOperationWork(wiring: OperationWiring): LicenseOperationWork {
  return new LicenseOperationWork(
    {
      db: wiring.db,
      operations: wiring.operations,
      licenses: wiring.licenses,
      audit: wiring.audit,
      events: wiring.events,
      configurations: wiring.configurations,
      policy: wiring.config.pipeline,
      logger: wiring.logger.child({ component: 'license-operations' }),
      now: wiring.clock,
    },
    wiring.queue,
    wiring.adapters,
    wiring.kinds,
  );
}

/** Worker role: run the operations' jobs. */
export function registerOperationJobs(queue: JobQueue, work: LicenseOperationWork, concurrency: number): void {
  queue.process<{ operationId: number }>(operationJob, concurrency, (job) => work.run(job.payload.operationId));
}
