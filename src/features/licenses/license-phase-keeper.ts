import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditWriter } from '../audit/audit-store.js';
import type { EventType } from '../events/event-catalogue.js';
import { type EventInput, recordEvents } from '../events/record-event.js';
import { graceEndOf, type LicensePhase, type PhaseRules } from './license-phase.js';
import type { LicensePhaseStore, PhaseMove } from './license-phase-store.js';
import { isAdditionalKey } from './license-term.js';

const schedulerActor: Actor = { type: 'worker', name: 'scheduler' };

/** Phases in the order a pass moves licenses into them: the furthest along first. */
const passOrder: LicensePhase[] = ['lapsed', 'grace', 'expiring', 'active'];

/**
 * What a move tells the outside world: entering `expiring`, the end of the term (into grace, or
 * straight to lapsed when there is no grace to spend), the end of grace. Back to `active` (a
 * renewal) tells nothing here: the renewal has its own event. A terminated key tells nothing.
 */
export function phaseEventOf(move: Pick<PhaseMove, 'from' | 'to' | 'status'>): EventType | undefined {
  if (move.status === 'terminated') return undefined;
  if (move.to === 'expiring') return 'license.expiring';
  if (move.to === 'grace') return 'license.expired';
  if (move.to === 'lapsed') return move.from === 'grace' ? 'license.grace_ended' : 'license.expired';
  return undefined;
}

export interface PhasePassResult {
  moved: number;
  events: number;
  batches: number;
}

/**
 * The scheduler's license phase pass: moves the stored phase of every license whose dates put
 * it elsewhere, batch by batch, each batch one transaction with its audit events and outbox
 * events (a few set-based queries, whatever the batch size). Run by every worker at once, it
 * still tells each move once (`LicensePhaseStore.claimMoves`).
 */
export class LicensePhaseKeeper {
  constructor(
    private readonly deps: {
      db: Db;
      store: LicensePhaseStore;
      audit: AuditWriter;
      rules: PhaseRules;
      batchSize?: number;
    },
  ) {}

  async runDue(now: number): Promise<PhasePassResult> {
    const limit = this.deps.batchSize ?? 500;
    const result: PhasePassResult = { moved: 0, events: 0, batches: 0 };
    for (const to of passOrder) {
      for (;;) {
        const { moved, events } = await this.batch(to, now, limit);
        if (moved) result.batches += 1;
        result.moved += moved;
        result.events += events;
        if (moved < limit) break;
      }
    }
    return result;
  }

  private batch(to: LicensePhase, now: number, limit: number): Promise<{ moved: number; events: number }> {
    return transaction(this.deps.db, async (tx) => {
      const moves = await this.deps.store.claimMoves(tx, to, now, this.deps.rules, limit);
      if (!moves.length) return { moved: 0, events: 0 };
      await this.deps.audit.recordMany(
        tx,
        moves.map((m) => ({
          actor: schedulerActor,
          action: 'license.phase_changed',
          entityType: 'license',
          entityId: m.id,
          fromState: m.from,
          toState: m.to,
        })),
      );
      const events: EventInput[] = moves.flatMap((m) => {
        const type = phaseEventOf(m);
        if (!type) return [];
        const graceEnd = graceEndOf(m.termEnd, { isAdditional: isAdditionalKey(m) });
        const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
        return [
          {
            type,
            entityId: m.id,
            data: {
              phase: m.to,
              previousPhase: m.from,
              termEndsAt: iso(m.termEnd),
              graceEndsAt: m.to === 'lapsed' ? null : iso(graceEnd),
            },
          },
        ];
      });
      if (events.length) await recordEvents(tx, events);
      return { moved: moves.length, events: events.length };
    });
  }
}
