import { forEachConcurrently } from '../../infra/async/for-each-concurrently.js';
import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Logger } from '../../infra/log/logger.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditWriter } from '../audit/audit-store.js';
import { recordEvents } from '../events/record-event.js';
import type { DueRenewal, DueWindow, RenewalScheduleStore } from './renewal-schedule-store.js';

const schedulerActor: Actor = { type: 'worker', name: 'scheduler' };
const DAY_MS = 86_400_000;
/** An expired subscription's licenses keep working this long (DOMAIN.md); past it, renewing is the customer's call. */
const GRACE_MS = 30 * DAY_MS;

/**
 * Creates and pays a renewal order of `periodMonths` for the subscription, idempotent on
 * `reference` (a second call with it changes nothing and does not fail), so a payment retried
 * after a lost answer never renews twice. Answers once the order is paid, which moves the
 * subscription's expiry. The renewal orders feature answers it; the composition root wires it.
 */
export type RenewAndPay = (subscriptionId: number, periodMonths: number, reference: string) => Promise<void>;

export interface RenewalSchedulerDeps {
  db: Db;
  store: RenewalScheduleStore;
  audit: AuditWriter;
  logger: Logger;
  /** `KEYWAY_RENEWAL_NOTICE_DAYS`. */
  noticeDays: number;
  /** `KEYWAY_AUTORENEW_PAYMENT`: `store` raises the event only; `assume` also pays through `renewAndPay`. */
  payment: 'store' | 'assume';
  renewAndPay: RenewAndPay;
  /** How long a claimed payment waits before another pass tries again (default 15 minutes). */
  payRetryMs?: number;
  /**
   * Renewal payments one pass has in flight (default 8). Each is its own subscription's, a few
   * short transactions that lock only that subscription's rows, so they do not wait on each other.
   */
  paymentsInFlight?: number;
  batchSize?: number;
}

export interface RenewalPassResult {
  raised: number;
  paid: number;
  failed: number;
}

/** Our reference of the renewal order Keyway pays itself for one term: the same on every try. */
export function autoRenewalReference(due: Pick<DueRenewal, 'id' | 'expiresAt'>): string {
  return `auto-renew-${due.id}-${due.expiresAt}`;
}

/**
 * The scheduler's renewal pass: raises `subscription.renewal_due` for auto-renew subscriptions
 * that expire within the notice, once per term (the subscription remembers the expiry it was
 * raised for), in batches of a few set-based queries, each with its audit events in one
 * transaction. With payment `assume`, then pays each due renewal through `renewAndPay`, a few
 * at a time (`paymentsInFlight`), one worker per subscription (a claim that lapses after
 * `payRetryMs`, so a failed or abandoned payment is tried again until the expiry moved).
 */
export class RenewalScheduler {
  constructor(private readonly deps: RenewalSchedulerDeps) {}

  async runDue(now: number): Promise<RenewalPassResult> {
    const window: DueWindow = { now, noticeMs: this.deps.noticeDays * DAY_MS, graceMs: GRACE_MS };
    const limit = this.deps.batchSize ?? 500;
    const result: RenewalPassResult = { raised: 0, paid: 0, failed: 0 };
    for (;;) {
      const raised = await this.raiseBatch(window, limit);
      result.raised += raised;
      if (raised < limit) break;
    }
    if (this.deps.payment !== 'assume') return result;
    for (;;) {
      const claimed = await transaction(this.deps.db, (tx) =>
        this.deps.store.claimPayments(tx, window, this.deps.payRetryMs ?? 15 * 60_000, limit),
      );
      await forEachConcurrently(claimed, this.deps.paymentsInFlight ?? 8, async (due) => {
        if (await this.pay(due)) result.paid += 1;
        else result.failed += 1;
      });
      if (claimed.length < limit) break;
    }
    return result;
  }

  private raiseBatch(window: DueWindow, limit: number): Promise<number> {
    return transaction(this.deps.db, async (tx) => {
      const due = await this.deps.store.claimNotices(tx, window, limit);
      if (!due.length) return 0;
      const facts = (d: DueRenewal) => ({
        expiresAt: new Date(d.expiresAt).toISOString(),
        periodMonths: d.periodMonths,
      });
      await this.deps.audit.recordMany(
        tx,
        due.map((d) => ({
          actor: schedulerActor,
          action: 'subscription.renewal_due',
          entityType: 'subscription',
          entityId: d.id,
          data: facts(d),
        })),
      );
      await recordEvents(
        tx,
        due.map((d) => ({ type: 'subscription.renewal_due' as const, entityId: d.id, data: facts(d) })),
      );
      return due.length;
    });
  }

  private async pay(due: DueRenewal): Promise<boolean> {
    const reference = autoRenewalReference(due);
    try {
      await this.deps.renewAndPay(due.id, due.periodMonths, reference);
      return true;
    } catch (err) {
      this.deps.logger.warn(
        { err, subscriptionId: due.id, reference },
        'paying a due renewal failed; a later pass tries again',
      );
      await this.deps.audit.record(this.deps.db, {
        actor: schedulerActor,
        action: 'subscription.autopay_failed',
        entityType: 'subscription',
        entityId: due.id,
        data: { reference, periodMonths: due.periodMonths },
        error: { message: err instanceof Error ? err.message : String(err) },
      });
      return false;
    }
  }
}
