import { NotFoundError } from '../../errors/app-error.js';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditWriter } from '../audit/audit-store.js';
import type { RenewalScheduleStore } from './renewal-schedule-store.js';

/** Turns a subscription's auto-renew on or off (customers, their store, staff), audited. */
export class AutoRenewService {
  constructor(private readonly deps: { db: Db; store: RenewalScheduleStore; audit: AuditWriter; now?: () => number }) {}

  /** Sets auto-renew; the same value again changes nothing and records nothing. */
  async set(subscriptionId: number, on: boolean, actor: Actor): Promise<{ changed: boolean }> {
    return transaction(this.deps.db, async (tx) => {
      const changed = await this.setIn(tx, subscriptionId, on, actor);
      if (!changed && (await this.deps.store.autoRenewOf(tx, subscriptionId)) === undefined)
        throw new NotFoundError('subscription', subscriptionId);
      return { changed };
    });
  }

  /** `set` in the caller's transaction (a migration at renewal turns it off, then on): false when it already was so. */
  async setIn(tx: DbOrTx, subscriptionId: number, on: boolean, actor: Actor): Promise<boolean> {
    const changed = await this.deps.store.setAutoRenew(tx, subscriptionId, on, (this.deps.now ?? Date.now)());
    if (!changed) return false;
    await this.deps.audit.record(tx, {
      actor,
      action: on ? 'subscription.auto_renew_on' : 'subscription.auto_renew_off',
      entityType: 'subscription',
      entityId: subscriptionId,
      data: { autoRenew: on },
    });
    return true;
  }
}
