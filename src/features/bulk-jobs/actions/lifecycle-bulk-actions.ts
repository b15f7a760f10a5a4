import type { Actor } from '../../../kernel/actor.js';
import type { BulkAction } from '../bulk-action.js';
import { type ActionReply, outcomeOfReply } from './reply-outcome.js';

export type LicenseLifecycleName = 'renew' | 'suspend' | 'resume' | 'terminate';

/**
 * Acts on a license's key at its KA at most once per key (the licenses feature's
 * `LicenseActionOnce`, wired by the composition root): asked again with the same key, it
 * answers what the first request did.
 */
export interface LicenseActing {
  act(
    licenseId: number,
    action: LicenseLifecycleName,
    actor: Actor,
    key: { scope: string; key: string },
    note?: string,
  ): Promise<ActionReply>;
}

const labels: Record<LicenseLifecycleName, string> = {
  renew: 'Renew',
  suspend: 'Suspend',
  resume: 'Resume',
  terminate: 'Terminate',
};

/**
 * A lifecycle action (`renew`, `suspend`, `resume`, `terminate`) over many licenses: each item
 * goes through the same lifecycle as the license page's button, under an idempotency key of
 * the job and item, so an item run again after a crash never acts twice. Terminating is
 * destructive: it needs the count confirmed.
 */
export function lifecycleBulkAction(name: LicenseLifecycleName, licenses: LicenseActing): BulkAction {
  return {
    name,
    label: labels[name],
    destructive: name === 'terminate',
    appliesTo: 'license',
    // A KA call each: small batches end well within the lease.
    batchSize: 10,
    async run(item, { actor, bulkJobId, note }) {
      const reply = await licenses.act(
        item.targetId,
        name,
        actor,
        { scope: `bulk:${bulkJobId}`, key: `item:${item.id}` },
        note ?? `bulk job ${bulkJobId}`,
      );
      const outcome = outcomeOfReply(reply);
      if (outcome.state === 'done' && (reply.body as { byEarlierOperation?: boolean }).byEarlierOperation)
        return {
          state: 'done',
          code: 'by_earlier_operation',
          message: 'the KA had already done it; nothing was sent again',
        };
      return outcome;
    },
  };
}
