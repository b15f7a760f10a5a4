import { AppError } from '../../../errors/app-error.js';
import type { Actor } from '../../../kernel/actor.js';
import type { BulkAction } from '../bulk-action.js';
import { outcomeOfReply } from './reply-outcome.js';

/** Puts a license request that needs staff back into the pipeline (the uploads feature's retry online, wired by the root). */
export interface RequestRetrying {
  retry(requestId: number, actor: Actor): Promise<unknown>;
}

/**
 * Retry online over many license requests in `needs_manual`. The retry is a guarded move out
 * of `needs_manual`, so an item run again after a crash finds the request moved on and is
 * skipped: it never retries twice.
 */
export function retryOnlineBulkAction(requests: RequestRetrying): BulkAction {
  return {
    name: 'retry_online',
    label: 'Retry online',
    destructive: false,
    appliesTo: 'license_request',
    async run(item, { actor }) {
      try {
        await requests.retry(item.targetId, actor);
        return { state: 'done' };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return outcomeOfReply({ status: err.status, body: { error: { code: err.code, message: err.message } } });
      }
    },
  };
}
