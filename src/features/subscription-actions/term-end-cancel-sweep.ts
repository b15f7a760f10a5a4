import type { SubscriptionActionService } from './subscription-action-service.js';

/**
 * Cancels the subscriptions whose cancel at the term's end is due. Run by the reconcile loop in
 * every worker: the subscription's guarded move to `cancelled` is the claim, so with any number
 * of workers each subscription is cancelled, and its licenses' terminations made, once.
 */
export class TermEndCancelSweep {
  readonly entity = { name: 'subscription_term_end_cancel' };

  constructor(private readonly service: SubscriptionActionService) {}

  async reconcile(): Promise<{ cancelled: number }> {
    return { cancelled: await this.service.cancelDue() };
  }
}
