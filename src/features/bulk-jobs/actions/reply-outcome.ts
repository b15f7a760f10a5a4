import type { ItemOutcome } from '../bulk-action.js';

/** An answer as the API gives it: a status, and on an error `{error: {code, message}}`. */
export interface ActionReply {
  status: number;
  body: unknown;
}

/** Refusals that mean the action does not apply to the target as it is now. */
const notApplicable = new Set(['invalid_state', 'not_supported', 'not_found']);
/** Refusals that mean the target is busy with other work now: try the item again a little later. */
const busy = new Set(['operation_in_progress', 'idempotency_key_in_progress']);

/** How long a busy item waits before it is tried again. */
export const busyRetryMs = 5_000;

/** An item's outcome from the reply of the feature service that acted (or refused). */
export function outcomeOfReply(reply: ActionReply): ItemOutcome {
  if (reply.status >= 200 && reply.status < 300) return { state: 'done' };
  const error = (reply.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${reply.status}`;
  const message = typeof error?.message === 'string' ? error.message : `refused with status ${reply.status}`;
  if (notApplicable.has(code)) return { state: 'skipped', code, message };
  if (busy.has(code)) return { state: 'later', code, message, delayMs: busyRetryMs };
  return { state: 'failed', code, message };
}
