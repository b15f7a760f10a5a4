import type { Db, DbOrTx } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditWriter } from '../audit/audit-store.js';
import { recordEvents } from '../events/record-event.js';
import { factsNeeded, judge, type KaFacts, nextReview, type UsageWatch } from './usage-rules.js';
import type { UsageStore } from './usage-store.js';

const watchActor: Actor = { type: 'worker', name: 'usage watch' };

/** What the KA says about a license's key, asked by the watch pass only when a judgement needs it. */
export interface UsageKaFacts {
  facts(watch: UsageWatch, needed: { farm: boolean; expiry: boolean }): Promise<KaFacts>;
}

export interface UsageWatchDeps {
  db: Db;
  store: UsageStore;
  audit: AuditWriter;
  ka: UsageKaFacts;
  /** The KA expired a SaaS key: the license's expiry moves to then, in the watch's transaction. */
  onExpired(tx: DbOrTx, licenseId: number, expiredAt: number): Promise<void>;
  batchSize?: number;
}

export interface WatchPassResult {
  reviewed: number;
  events: number;
}

/**
 * The scheduler's usage watch: every license whose usage changed or whose next notice is due
 * (`review_at` passed) is judged (`judge`: overuse and its grace, the farm as the KA holds it,
 * a SaaS key's missing reports and expiry), its row, audit events and outbox events written in
 * one transaction by a guarded update on the row's `updated_at`. Any number of workers may run
 * it: the one whose update lands tells the change, the others tell nothing.
 */
export class UsageWatchPass {
  constructor(private readonly deps: UsageWatchDeps) {}

  async runDue(now: number): Promise<WatchPassResult> {
    const result: WatchPassResult = { reviewed: 0, events: 0 };
    const limit = this.deps.batchSize ?? 200;
    const seen = new Set<number>();
    for (;;) {
      const due = (await this.deps.store.dueForReview(this.deps.db, now, limit)).filter((w) => !seen.has(w.licenseId));
      if (!due.length) break;
      for (const watch of due) {
        seen.add(watch.licenseId);
        const told = await this.review(watch, now);
        if (told !== undefined) {
          result.reviewed += 1;
          result.events += told;
        }
      }
      if (due.length < limit) break;
    }
    return result;
  }

  /** Judges one license; answers the events told, or undefined when another worker had it. */
  private async review(watch: UsageWatch, now: number): Promise<number | undefined> {
    const needed = factsNeeded(watch, now);
    const facts = needed.farm || needed.expiry ? await this.deps.ka.facts(watch, needed) : {};
    const { changes, events } = judge(watch, now, facts);
    const after = { ...watch, ...changes };
    const updatedAt = Math.max(now, watch.updatedAt + 1);
    return transaction(this.deps.db, async (tx) => {
      const claimed = await this.deps.store.updateWatch(tx, watch.licenseId, watch.updatedAt, {
        ...changes,
        reviewAt: nextReview(after, now),
        updatedAt,
      });
      if (!claimed) return undefined;
      if (events.length) {
        await this.deps.audit.recordMany(
          tx,
          events.map((e) => ({
            actor: watchActor,
            action: e.type,
            entityType: 'license',
            entityId: watch.licenseId,
            data: e.data,
          })),
        );
        await recordEvents(
          tx,
          events.map((e) => ({ type: e.type, entityId: watch.licenseId, data: e.data, at: now })),
        );
      }
      if (changes.expiredAt !== undefined && changes.expiredAt !== null)
        await this.deps.onExpired(tx, watch.licenseId, changes.expiredAt);
      return events.length;
    });
  }
}
