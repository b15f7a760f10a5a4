import { ConflictError, NotFoundError } from '../../errors/app-error.js';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { type Actor, workerActor } from '../../kernel/actor.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import type { AuditStore } from '../audit/audit-store.js';
import { applyTransition, type GuardedMove, type TransitionEventWriter } from '../audit/transition.js';
import type { EventType } from '../events/event-catalogue.js';
import { enqueueOperation } from '../licenses/license-operation-jobs.js';
import type {
  ActedLicenses,
  ActedSubscription,
  ActedSubscriptions,
  ActionOperations,
} from './subscription-action-ports.js';

export interface SubscriptionActionServiceDeps {
  db: Db;
  subscriptions: ActedSubscriptions;
  licenses: ActedLicenses;
  operations: ActionOperations;
  audit: AuditStore;
  events: TransitionEventWriter;
  queue: JobQueue;
  now: () => number;
}

export type CancelWhen = 'now' | 'term_end';

/** What an action did: `acted` false when the subscription already was where it asks (nothing done again). */
export interface ActionOutcome {
  acted: boolean;
  /** The license operations it made, for the workers. */
  operationIds: number[];
}

/** The cause each action's license operations carry (with the subscription's id). */
export const actionCauses = {
  terminate: 'subscription_cancel',
  suspend: 'subscription_suspend',
  resume: 'subscription_resume',
} as const;
type LicenseAction = keyof typeof actionCauses;

/** Which licenses each action acts on: a terminated key is left alone; only a suspended one is resumed. */
const actsOn: Record<LicenseAction, string[]> = {
  terminate: ['issued', 'files_retrieved', 'installed', 'suspended'],
  suspend: ['issued', 'files_retrieved', 'installed'],
  resume: ['suspended'],
};

/** Operations that a later action makes moot, when nothing of them was sent yet: a resume supersedes a waiting suspend, and so on. */
const supersedes: Record<LicenseAction, LicenseAction[]> = {
  terminate: ['suspend', 'resume'],
  suspend: ['resume'],
  resume: ['suspend'],
};

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Cancel, suspend and resume of a subscription (issue 14). Each moves the subscription with a
 * guarded transition and its audit event, and, in the same transaction, makes one worker-run
 * license operation per license (terminate, suspend, resume) and writes its outbox event; the
 * workers then act at each KA, with retries and fall back to staff. A cancel at the term's end
 * only records its date ("cancels on"); the term-end sweep performs it once it is due, claimed
 * by the same guarded move, so one worker acts. Asking for where the subscription already is
 * answers `acted: false` and does nothing again.
 */
export class SubscriptionActionService {
  constructor(private readonly deps: SubscriptionActionServiceDeps) {}

  cancel(id: number, when: CancelWhen, actor: Actor, note?: string): Promise<ActionOutcome> {
    return twice(id, () => this.tryCancel(id, when, actor, note));
  }

  /** Withdraws a pending term-end cancel; a subscription already cancelled cannot be. */
  withdrawCancel(id: number, actor: Actor, note?: string): Promise<ActionOutcome> {
    return twice(id, () => this.tryWithdraw(id, actor, note));
  }

  /** `active → suspended` (non-payment): each license suspended at its KA, or in Keyway only where the plugin cannot. */
  suspend(id: number, actor: Actor, note?: string): Promise<ActionOutcome> {
    return twice(id, () => this.trySuspend(id, actor, note));
  }

  /** `suspended → active`: each suspended license resumed at its KA (in Keyway only where it was suspended so). */
  resume(id: number, actor: Actor, note?: string): Promise<ActionOutcome> {
    return twice(id, () => this.tryResume(id, actor, note));
  }

  private async tryCancel(
    id: number,
    when: CancelWhen,
    actor: Actor,
    note?: string,
  ): Promise<ActionOutcome | undefined> {
    const s = await this.load(id);
    if (s.state === 'cancelled') return unchanged;
    this.refuseProvisioning(s, 'cancelled');
    const now = this.deps.now();
    if (when === 'term_end') {
      if (s.cancelsAt) return unchanged;
      const at = Date.parse(s.expiresAt);
      const moved = await applyTransition(
        this.deps.db,
        this.deps,
        this.deps.subscriptions.scheduleCancel(id, s.state, at, now),
        { actor, action: 'subscription.cancel_scheduled', data: { cancelsAt: iso(at), ...noted(note) } },
      );
      return moved ? { acted: true, operationIds: [] } : undefined;
    }
    return this.moveWithLicenses(this.deps.subscriptions.cancel(id, s.state, now), s, 'terminate', {
      actor,
      action: 'subscription.cancelled',
      event: 'subscription.cancelled',
      data: { when, ...(s.cancelsAt ? { insteadOfTermEnd: s.cancelsAt } : {}), ...noted(note) },
    });
  }

  private async tryWithdraw(id: number, actor: Actor, note?: string): Promise<ActionOutcome | undefined> {
    const s = await this.load(id);
    if (s.state === 'cancelled')
      throw new ConflictError(`Subscription ${id} is cancelled; a done cancel cannot be withdrawn`, 'invalid_state', {
        details: { state: s.state },
      });
    if (!s.cancelsAt) return unchanged;
    const moved = await applyTransition(
      this.deps.db,
      this.deps,
      this.deps.subscriptions.withdrawCancel(id, s.state, this.deps.now()),
      { actor, action: 'subscription.cancel_withdrawn', data: { cancelsAt: s.cancelsAt, ...noted(note) } },
    );
    return moved ? { acted: true, operationIds: [] } : undefined;
  }

  private async trySuspend(id: number, actor: Actor, note?: string): Promise<ActionOutcome | undefined> {
    const s = await this.load(id);
    if (s.state === 'suspended') return unchanged;
    this.refuseUnless(s, 'active', 'suspended');
    const outcome = await this.moveWithLicenses(
      this.deps.subscriptions.setSuspended(id, true, this.deps.now()),
      s,
      'suspend',
      { actor, action: 'subscription.suspended', event: 'subscription.suspended', data: noted(note) },
    );
    return outcome;
  }

  private async tryResume(id: number, actor: Actor, note?: string): Promise<ActionOutcome | undefined> {
    const s = await this.load(id);
    if (s.state === 'active') return unchanged;
    this.refuseUnless(s, 'suspended', 'resumed');
    const outcome = await this.moveWithLicenses(
      this.deps.subscriptions.setSuspended(id, false, this.deps.now()),
      s,
      'resume',
      { actor, action: 'subscription.resumed', event: 'subscription.resumed', data: noted(note) },
    );
    return outcome;
  }

  /**
   * The term-end sweep's work: cancels every subscription whose cancel is due. The guarded move
   * is the claim: of several workers sweeping at once, one moves each subscription and makes its
   * operations; the others find it moved and do nothing. Answers how many this call cancelled.
   */
  async cancelDue(limit = 100): Promise<number> {
    const now = this.deps.now();
    let cancelled = 0;
    for (const due of await this.deps.subscriptions.dueForCancel(this.deps.db, now, limit)) {
      const s = await this.deps.subscriptions.get(this.deps.db, due.id);
      if (!s) continue;
      const outcome = await this.moveWithLicenses(
        this.deps.subscriptions.cancelDue(due.id, due.state, now),
        s,
        'terminate',
        {
          actor: workerActor,
          action: 'subscription.cancelled',
          event: 'subscription.cancelled',
          data: { when: 'term_end', cancelsAt: s.cancelsAt },
        },
      );
      if (outcome) cancelled += 1;
    }
    return cancelled;
  }

  /**
   * Runs the subscription's move and, only when it won, in its transaction: closes the waiting
   * operations the action supersedes, makes one operation per license it acts on, and writes
   * the event. The operations are enqueued after the commit (a lost enqueue is redone by the
   * reconcile loop, which finds them pending). Undefined when the move lost.
   */
  private async moveWithLicenses(
    move: GuardedMove,
    s: ActedSubscription,
    action: LicenseAction,
    record: { actor: Actor; action: string; event: EventType; data: Record<string, unknown> },
  ): Promise<ActionOutcome | undefined> {
    const now = this.deps.now();
    const operationIds: number[] = [];
    const moved = await applyTransition(this.deps.db, this.deps, move, async (tx) => {
      await this.supersede(tx, s.id, action, record.actor);
      const also: AuditEventInput[] = [];
      const licenses = (await this.deps.licenses.listBySubscription(tx, s.id)).filter((l) =>
        actsOn[action].includes(l.status),
      );
      for (const license of licenses) {
        const operationId = await this.deps.operations.insert(tx, {
          licenseId: license.id,
          kind: action,
          parameters: { subscriptionId: s.id },
          actor: record.actor,
          cause: { type: actionCauses[action], id: s.id },
          now,
        });
        operationIds.push(operationId);
        also.push({
          actor: record.actor,
          action: 'license_operation.created',
          entityType: 'license_operation',
          entityId: operationId,
          toState: 'pending',
          data: { licenseId: license.id, keyNumber: license.keyNumber, kind: action, subscriptionId: s.id },
        });
      }
      return {
        actor: record.actor,
        action: record.action,
        fromState: s.state,
        data: { ...record.data, licenses: licenses.length },
        also,
        event: { type: record.event, payload: { ...record.data, licenses: licenses.length } },
      };
    });
    if (!moved) return undefined;
    for (const id of operationIds) {
      try {
        await enqueueOperation(this.deps.queue, id, 'pending', 0);
      } catch {
        // The reconcile loop finds the operation pending and enqueues it.
      }
    }
    return { acted: true, operationIds };
  }

  /** Closes the subscription's operations this action makes moot, where nothing was sent (waiting, or with staff after a refusal). */
  private async supersede(tx: DbOrTx, subscriptionId: number, action: LicenseAction, actor: Actor): Promise<void> {
    for (const kind of supersedes[action]) {
      const open = (await this.deps.operations.listByCause(tx, actionCauses[kind], [subscriptionId])).filter(
        (o) => ['pending', 'needs_manual'].includes(o.state) && !o.sentAt,
      );
      for (const operation of open) {
        const reason = `superseded by the subscription's ${action}`;
        // Guarded by the state: a worker that started it meanwhile wins, and this one waits for the license.
        await applyTransition(
          tx,
          this.deps,
          this.deps.operations.move(operation, [operation.state], 'cancelled', {
            closed: true,
            nextAttemptAt: null,
            reason,
          }),
          {
            actor,
            action: 'license_operation.cancelled',
            fromState: operation.state,
            data: { licenseId: operation.licenseId, kind, reason },
          },
        );
      }
    }
  }

  private async load(id: number): Promise<ActedSubscription> {
    const s = await this.deps.subscriptions.get(this.deps.db, id);
    if (!s) throw new NotFoundError('subscription', id);
    return s;
  }

  private refuseProvisioning(s: ActedSubscription, to: string): void {
    if (s.state === 'provisioning')
      throw new ConflictError(
        `Subscription ${s.id} is still provisioning; it can be ${to} once its licenses are issued (cancel the order's requests meanwhile)`,
        'invalid_state',
        { details: { state: s.state } },
      );
  }

  private refuseUnless(s: ActedSubscription, from: string, to: string): void {
    if (s.state !== from)
      throw new ConflictError(`Subscription ${s.id} is ${s.state}; only an ${from} one can be ${to}`, 'invalid_state', {
        details: { state: s.state },
      });
  }
}

/** Runs `attempt` again when another call moved the subscription between its read and its guarded move; then gives up. */
async function twice(id: number, attempt: () => Promise<ActionOutcome | undefined>): Promise<ActionOutcome> {
  for (let i = 0; i < 2; i += 1) {
    const outcome = await attempt();
    if (outcome) return outcome;
  }
  throw new ConflictError(`Subscription ${id} changed meanwhile; reload it and ask again`, 'concurrent_change');
}

const unchanged: ActionOutcome = { acted: false, operationIds: [] };

const noted = (note: string | undefined) => (note ? { note } : {});
