import type { Actor } from '../../../kernel/actor.js';
import type { BulkAction, ItemOutcome } from '../bulk-action.js';
import { busyRetryMs } from './reply-outcome.js';

/** How a sync (or its resolution) of one license ended, as the license-sync feature answers it. */
export interface SyncReply {
  result: 'in_sync' | 'not_in_sync' | 'failed' | 'busy' | 'not_supported';
  message?: string;
}

/** Syncs licenses with their KAs (the license-sync feature, wired by the root), paced per configuration. */
export interface LicenseSyncing {
  sync(licenseId: number, actor: Actor, note?: string): Promise<SyncReply>;
  acceptKa(licenseId: number, actor: Actor, note?: string): Promise<SyncReply>;
}

function outcomeOf(reply: SyncReply): ItemOutcome {
  switch (reply.result) {
    case 'in_sync':
    case 'not_in_sync':
      return { state: 'done', code: reply.result };
    case 'busy':
      return { state: 'later', code: 'operation_in_progress', message: reply.message ?? 'busy', delayMs: busyRetryMs };
    case 'not_supported':
      return { state: 'skipped', code: 'not_supported', message: reply.message ?? 'the plugin cannot read keys' };
    default:
      return { state: 'failed', code: 'sync_failed', message: reply.message ?? 'reading the key failed' };
  }
}

/**
 * `sync`: reads each license's key at its KA and compares (what follows the KA is applied,
 * the rest marks it not in sync); `sync_accept_ka`: the same, then Keyway takes the KA's facts.
 * Both only read the KA (and change Keyway to follow it), so an item run again after a crash
 * reads again and finds nothing more to do: idempotent without a key. "Sync this tab" is a
 * `sync` job over the tab's filter.
 */
export function syncBulkAction(name: 'sync' | 'sync_accept_ka', licenses: LicenseSyncing): BulkAction {
  return {
    name,
    label: name === 'sync' ? 'Sync with the KA' : "Sync and accept the KA's facts",
    destructive: false,
    appliesTo: 'license',
    // A paced KA read each: small batches end well within the lease.
    batchSize: 10,
    async run(item, { actor, bulkJobId, note }) {
      const why = note ?? `bulk job ${bulkJobId}`;
      const reply =
        name === 'sync'
          ? await licenses.sync(item.targetId, actor, why)
          : await licenses.acceptKa(item.targetId, actor, why);
      return outcomeOf(reply);
    },
  };
}
